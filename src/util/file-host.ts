import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { RemoteFileNeeded } from "../standards/requirements-txt-host.ts";
import { hasOverlongComponent } from "./fs.ts";
import { hasUrlScheme } from "./url-scheme.ts";

/**
 * Local file access relative to a working directory, for parsers that take a host (requirements
 * files). With `fetched`, files at http(s) URLs come from it, and one it lacks is asked for
 * (RemoteFileNeeded); without it they are refused. With `standardInput`, the file `-` is what it
 * returns (uv's and pip-tools' `-`; pip itself reads a file named `-`).
 */
export function localFileHost(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  fetched?: ReadonlyMap<string, Uint8Array>,
  standardInput?: () => Uint8Array,
) {
  const at = (path: string) => resolve(cwd, path);
  const stat = (path: string) => {
    try {
      return statSync(at(path));
    } catch {
      return null;
    }
  };
  return {
    cwd,
    env,
    readFile(path: string): Uint8Array {
      if (path === "-" && standardInput !== undefined) return standardInput();
      if (fetched !== undefined && /^https?:/i.test(path)) {
        const bytes = fetched.get(path);
        if (bytes === undefined) throw new RemoteFileNeeded(path);
        return bytes;
      }
      if (hasUrlScheme(path)) {
        throw new Error(`${path}: this command reads requirements files from disk only`);
      }
      // resolve() folds `a/../` away, which the system would not: a path past its limits fails
      // as it would when opened as written (a requirements file that includes itself by a
      // growing relative path ends here, as in pip).
      if (Buffer.byteLength(path) >= 4096 || hasOverlongComponent(path))
        throw new Error(`[Errno 36] File name too long: '${path}'`);
      try {
        return readFileSync(at(path));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(
          code === "ENOENT" ? `[Errno 2] No such file or directory: '${path}'` : (error as Error).message,
        );
      }
    },
    isDirectory: (path: string) => stat(path)?.isDirectory() ?? false,
    isFile: (path: string) =>
      (path === "-" && standardInput !== undefined) || (stat(path)?.isFile() ?? false),
    exists: (path: string) => (path === "-" && standardInput !== undefined) || existsSync(at(path)),
  };
}
