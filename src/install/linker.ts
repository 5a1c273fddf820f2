// Placing a cached file in an environment: a reflink clone, a hard link, a symlink or a copy,
// falling back from clone to hard link to copy where the file system refuses the first choice.
// A mode the user asked for falls back too (a cache on another file system than the
// environment), said as a warning, as uv does; once a file is placed, the mode holds.

import { constants, copyFileSync, linkSync, symlinkSync, unlinkSync } from "node:fs";

export type LinkMode = "clone" | "hardlink" | "symlink" | "copy";

/** Places one file with the chosen mode; reports the mode that worked (falling back as needed). */
export class Linker {
  mode: LinkMode;
  /** Whether a file was placed: the mode works here, and holds from then on. */
  private placedOne = false;
  private readonly requested: boolean;

  constructor(
    requested: LinkMode | null,
    /** Hears of each fallback; `asked` when the mode that failed was the user's choice. */
    private readonly onFallback?: (message: string, asked: boolean) => void,
  ) {
    this.mode = requested ?? "clone";
    this.requested = requested !== null;
  }

  /**
   * The mode that works here, found by placing `source` at `probe` (removed again) unless a file
   * was placed already: an asked-for mode may fall back too.
   */
  settle(source: string, probe: string): LinkMode {
    if (!this.placedOne) {
      this.place(source, probe);
      unlinkSync(probe);
    }
    return this.mode;
  }

  place(source: string, destination: string): void {
    for (;;) {
      try {
        switch (this.mode) {
          case "clone":
            copyFileSync(source, destination, constants.COPYFILE_FICLONE_FORCE);
            break;
          case "hardlink":
            linkSync(source, destination);
            break;
          case "symlink":
            symlinkSync(source, destination);
            break;
          case "copy":
            copyFileSync(source, destination);
            break;
        }
        this.placedOne = true;
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "";
        const unsupported = [
          "ENOTSUP",
          "EOPNOTSUPP",
          "EXDEV",
          "EINVAL",
          "ENOSYS",
          "EPERM",
          "EMLINK",
        ].includes(code);
        if (this.placedOne || !unsupported || this.mode === "copy") throw error;
        const next: LinkMode = this.mode === "clone" ? "hardlink" : "copy";
        this.onFallback?.(
          `link mode ${this.mode} is not available here (${code}); using ${next}`,
          this.requested,
        );
        this.mode = next;
      }
    }
  }
}
