// POSIX paths as Python's posixpath computes them, for parsers that must name files as pip does
// (requirements files nest relative to their parent without touching the file system).

export function normalizePath(path: string): string {
  if (path === "") return ".";
  const initialSlashes = path.startsWith("//") && !path.startsWith("///") ? 2 : path.startsWith("/") ? 1 : 0;
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (
      part !== ".." ||
      (initialSlashes === 0 && parts.length === 0) ||
      (parts.length > 0 && parts[parts.length - 1] === "..")
    ) {
      parts.push(part);
    } else if (parts.length > 0) parts.pop();
  }
  const joined = "/".repeat(initialSlashes) + parts.join("/");
  return joined || ".";
}

export function absolutePath(path: string, cwd: string): string {
  return normalizePath(path.startsWith("/") ? path : joinPath(cwd, path));
}

export function joinPath(base: string, path: string): string {
  if (path.startsWith("/")) return path;
  if (base === "" || base.endsWith("/")) return base + path;
  return `${base}/${path}`;
}

export function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  if (slash < 0) return "";
  const head = path.slice(0, slash + 1);
  return /^\/+$/.test(head) ? head : head.replace(/\/+$/, "");
}
