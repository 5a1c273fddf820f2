// spice serve DIR: a package index over HTTP on loopback (unless --host says otherwise).

import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { scanDistributions, startIndexServer } from "../../serve/server.ts";
import { fileSystemFailure, SpiceError, UsageError } from "../../util/error.ts";
import { plural } from "../../util/plural.ts";
import { type ParsedArgs, value } from "../args.ts";
import type { CommandContext, CommandModule } from "../main.ts";

async function run(args: ParsedArgs, context: CommandContext): Promise<number> {
  const directory = args.positionals[0];
  if (directory === undefined || args.positionals.length > 1)
    throw new UsageError("spice serve needs one directory", "spice serve ./wheelhouse");
  const root = resolve(context.cwd, directory);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new SpiceError("E_NO_DIRECTORY", `${root} is not a directory`, {
      hint: "Pass a directory of wheels and sdists",
    });
  }
  const portText = value(args, "port") ?? "0";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port takes a number from 0 to 65535, not '${portText}'`);
  const host = value(args, "host") ?? "127.0.0.1";
  let server: Awaited<ReturnType<typeof startIndexServer>>;
  try {
    server = await startIndexServer({ directory: root, host, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).syscall !== "listen")
      throw fileSystemFailure(`Cannot serve ${root}`, error) ?? error;
    throw new SpiceError("E_LISTEN", `Cannot listen on ${host}:${port}`, {
      cause: (error as Error).message,
      hint: "Choose another --port (0 picks a free one)",
    });
  }
  const projects = scanDistributions(root);
  const files = [...projects.values()].reduce((sum, list) => sum + list.length, 0);
  context.output.info(`Serving ${plural(files, "file")} of ${plural(projects.size, "project")} from ${root}`);
  if (host !== "127.0.0.1" && host !== "::1" && host !== "localhost")
    context.output.warn(`listening on ${host}: other machines can reach this index`);
  // The URL is data: scripts read it from stdout.
  context.output.data(server.url);
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      void server.close().then(resolveStop);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}

export const command: CommandModule = {
  usage: "spice serve DIR [--host 127.0.0.1] [--port N]",
  options: [
    {
      name: "host",
      value: "address",
      help: "The address to listen on (default 127.0.0.1: this machine only)",
    },
    { name: "port", value: "n", help: "The port (default 0: a free one, printed at start)" },
  ],
  details:
    "Serves PEP 503 HTML and PEP 691 JSON by content negotiation, PEP 658 metadata files, sha256 hashes,\ndata-requires-python, and yanked files listed in DIR/yanked.txt (one file name per line, then an optional reason).",
  run,
};
