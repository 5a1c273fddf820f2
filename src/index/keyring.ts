// Passwords from the `keyring` command, as pip's and uv's `--keyring-provider subprocess` get them:
// `keyring get SERVICE USERNAME` prints the password and exits 0, or exits non-zero when it has
// none. Asked only for a URL whose username is known (pip's and uv's rule: keyring's command line
// looks a password up by service and username), first with the index URL as the service, then
// the host.

import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { endIfInterrupted } from "../util/interrupt.ts";
import { nodeChildProcess } from "../util/lazy-builtins.ts";

/** A password for `username` at `service` (an index URL or a host), or null when there is none. */
export type KeyringLookup = (service: string, username: string) => string | null;

/** The `keyring` executable on PATH, or null. */
export function keyringOnPath(env: NodeJS.ProcessEnv): string | null {
  for (const directory of (env.PATH ?? "").split(delimiter)) {
    if (directory === "") continue;
    const candidate = join(directory, "keyring");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * A lookup through `executable`, each service and username asked once per run (a keyring
 * backend may be slow, or ask the user to unlock it). The command's own errors reach stderr, as
 * with pip; its output, the password, is never printed.
 */
export function keyringCommand(executable: string, env: NodeJS.ProcessEnv): KeyringLookup {
  const answers = new Map<string, string | null>();
  return (service, username) => {
    const key = `${service}\n${username}`;
    let answer = answers.get(key);
    if (answer === undefined) {
      const result = nodeChildProcess().spawnSync(executable, ["get", service, username], {
        env: { ...env, PYTHONIOENCODING: "utf-8" },
        stdio: ["ignore", "pipe", "inherit"],
        encoding: "utf8",
      });
      endIfInterrupted(result.signal); // Ctrl-C while a keyring backend waited for its unlock
      // keyring prints the password and a newline; a password may hold any other character.
      answer = result.status === 0 ? result.stdout.replace(/^\n+|\n+$/g, "") : null;
      answers.set(key, answer);
    }
    return answer;
  };
}
