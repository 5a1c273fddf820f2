// A monotonic clock in milliseconds for "Installed 3 packages in 12ms". The `performance` global
// would load perf_hooks on first use (about 1 ms of start-up); process.hrtime is already there.

export function monotonicMilliseconds(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
