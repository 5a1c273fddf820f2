// The script this process runs, for the worker threads and processes spice starts from itself.

/**
 * The built entry (dist/spice.cjs or .mjs) this process was started with, or null when it runs
 * from sources (a test importing the modules), which cannot be started again as they are.
 */
export function bundleScript(): string | null {
  const script = process.argv[1] ?? "";
  return /\.[cm]js$/.test(script) ? script : null;
}
