import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";

/** Local file access relative to a working directory, for parsers that take a host (requirements files). */
export function localFileHost(cwd: string, env: Readonly<Record<string, string | undefined>>) {
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
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
        throw new Error(`${path}: reading requirements files from URLs is not supported yet`);
      }
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
    isFile: (path: string) => stat(path)?.isFile() ?? false,
    exists: (path: string) => existsSync(at(path)),
  };
}
