// Placing a cached file in an environment: a reflink clone, a hard link, a symlink or a copy,
// falling back from clone to hard link to copy where the file system refuses the first choice.

import { constants, copyFileSync, linkSync, symlinkSync, unlinkSync } from "node:fs";

export type LinkMode = "clone" | "hardlink" | "symlink" | "copy";

/** Places one file with the chosen mode; reports the mode that worked (falling back as needed). */
export class Linker {
  mode: LinkMode;
  private decided: boolean;

  constructor(
    requested: LinkMode | null,
    private readonly onFallback?: (message: string) => void,
  ) {
    this.mode = requested ?? "clone";
    this.decided = requested !== null;
  }

  /** Decides the mode (when not given) by placing `source` at `probe`, which is removed again. */
  settle(source: string, probe: string): LinkMode {
    if (!this.decided) {
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
        this.decided = true;
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
        if (this.decided || !unsupported || this.mode === "copy") throw error;
        const next: LinkMode = this.mode === "clone" ? "hardlink" : "copy";
        this.onFallback?.(`link mode ${this.mode} is not available here (${code}); using ${next}`);
        this.mode = next;
      }
    }
  }
}
