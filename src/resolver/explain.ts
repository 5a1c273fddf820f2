// Why resolution failed, in sentences: PubGrub's error reporting (pub's doc/solver.md, "Error
// Reporting"). The failure is the root of a derivation graph whose leaves are facts (a dependency,
// a version that cannot be used) and whose inner nodes were derived from two causes. A linear
// derivation reads as a chain ("Because ... And because ..."); an incompatibility that several
// others were derived from gets a line number, so that later lines can refer back to it instead of
// explaining it twice.

import { compareVersions, tryParseVersion, type Version } from "../standards/version.ts";
import type { Incompatibility, PackageName } from "./pubgrub.ts";
import type { VersionSet } from "./version-set.ts";

/** How deep the explanation follows a derivation before it says that it stops. */
const MAX_DEPTH = 200;

interface Line {
  text: string;
  number: number | null;
}

/**
 * The explanation of `failure` (an incompatibility that holds for the root alone). `versionsOf`
 * gives each package's loaded versions (the universe its terms range over); `root` names the
 * root package, whose term every derivation carries and no sentence needs.
 */
export function explainFailure(
  failure: Incompatibility,
  versionsOf: (name: PackageName) => readonly string[],
  root: PackageName,
): string {
  const describer = new Describer(versionsOf, root);
  if (failure.cause.kind !== "derived")
    return `Because ${describer.external(failure)}, ${describer.derived(failure)}.`;
  return new Report(failure, describer).write();
}

class Report {
  private readonly lines: Line[] = [];
  /** How many derived incompatibilities each derived incompatibility is a cause of. */
  private readonly uses = new Map<Incompatibility, number>();
  private readonly numbers = new Map<Incompatibility, number>();
  private nextNumber = 1;

  constructor(
    private readonly failure: Incompatibility,
    private readonly describe: Describer,
  ) {
    this.countUses(failure);
  }

  write(): string {
    this.explain(this.failure);
    // Numbers only where a later line refers back; a linear chain has none.
    return this.lines
      .map((line) => (line.number === null ? line.text : `(${line.number}) ${line.text}`))
      .join("\n");
  }

  private countUses(failure: Incompatibility): void {
    // A loop, not recursion: a derivation can be thousands of steps deep.
    const seen = new Set<Incompatibility>();
    const pending = [failure];
    while (pending.length > 0) {
      const incompatibility = pending.pop()!;
      if (seen.has(incompatibility) || incompatibility.cause.kind !== "derived") continue;
      seen.add(incompatibility);
      for (const cause of [incompatibility.cause.left, incompatibility.cause.right]) {
        if (cause.cause.kind !== "derived") continue;
        this.uses.set(cause, (this.uses.get(cause) ?? 0) + 1);
        pending.push(cause);
      }
    }
  }

  private reference(incompatibility: Incompatibility): string {
    return `${this.describe.derived(incompatibility)} (${this.numbers.get(incompatibility)})`;
  }

  private explain(incompatibility: Incompatibility, depth = 0): void {
    if (incompatibility.cause.kind !== "derived") return;
    const { left, right } = incompatibility.cause;
    const conclusion = this.describe.derived(incompatibility);
    if (depth === MAX_DEPTH) {
      // Past this, a chain of thousands of steps would overflow the stack and no one would read it.
      this.add(`Earlier steps, left out here, show that ${conclusion}.`, incompatibility);
      return;
    }
    const deeper = depth + 1;
    if (isDerived(left) && isDerived(right)) {
      const leftNumber = this.numbers.has(left);
      const rightNumber = this.numbers.has(right);
      if (leftNumber && rightNumber) {
        this.add(
          `Because ${this.reference(left)} and ${this.reference(right)}, ${conclusion}.`,
          incompatibility,
        );
      } else if (leftNumber || rightNumber) {
        const [numbered, other] = leftNumber ? [left, right] : [right, left];
        this.explain(other, deeper);
        this.add(`And because ${this.reference(numbered)}, ${conclusion}.`, incompatibility);
      } else if (causedByTwoFacts(left) || causedByTwoFacts(right)) {
        // One side takes one line: explain the other first, then it, with no number needed.
        const [simple, complex] = causedByTwoFacts(left) ? [left, right] : [right, left];
        this.explain(complex, deeper);
        this.explain(simple, deeper);
        this.add(`Thus, ${conclusion}.`, incompatibility);
      } else {
        this.explain(left, deeper);
        this.numberLast(left);
        this.lines.push({ text: "", number: null });
        this.explain(right, deeper);
        this.add(`And because ${this.reference(left)}, ${conclusion}.`, incompatibility);
      }
    } else if (isDerived(left) || isDerived(right)) {
      const [derived, fact] = derivedAndFact(incompatibility)!;
      if (this.numbers.has(derived)) {
        this.add(
          `Because ${both(this.describe.external(fact), this.reference(derived))}, ${conclusion}.`,
          incompatibility,
        );
        return;
      }
      const prior = derivedAndFact(derived);
      if (prior !== null && !this.numbers.has(prior[0]) && !this.shared(derived)) {
        // Two links of a chain in one sentence: the step between them needs no line of its own.
        this.explain(prior[0], deeper);
        this.add(`And because ${this.facts(prior[1], fact)}, ${conclusion}.`, incompatibility);
      } else {
        this.explain(derived, deeper);
        this.add(`And because ${this.describe.external(fact)}, ${conclusion}.`, incompatibility);
      }
    } else {
      this.add(`Because ${this.facts(left, right)}, ${conclusion}.`, incompatibility);
    }
  }

  /**
   * Two facts joined; two of the user's own requirements read as one "you require A and B", and
   * a fact ending in a "which ..." clause goes last, where the clause ends the sentence's part.
   */
  private facts(first: Incompatibility, second: Incompatibility): string {
    let [a, b] = [this.describe.external(first), this.describe.external(second)];
    if (a.includes(", which ") && !b.includes(", which ")) [a, b] = [b, a];
    const require = "you require ";
    return both(a, a.startsWith(require) && b.startsWith(require) ? b.slice(require.length) : b);
  }

  private shared(incompatibility: Incompatibility): boolean {
    return (this.uses.get(incompatibility) ?? 0) > 1;
  }

  /** Writes a line, numbered when later lines will refer back to its incompatibility. */
  private add(text: string, incompatibility: Incompatibility): void {
    const number = this.shared(incompatibility) ? this.nextNumber++ : null;
    if (number !== null) this.numbers.set(incompatibility, number);
    this.lines.push({ text, number });
  }

  /** Gives the last line a number, for `incompatibility`, unless it has one. */
  private numberLast(incompatibility: Incompatibility): void {
    if (this.numbers.has(incompatibility)) return;
    const last = this.lines[this.lines.length - 1];
    if (last.number === null) last.number = this.nextNumber++;
    this.numbers.set(incompatibility, last.number);
  }
}

/** "A and B"; after a "which ..." clause, "A, and B", so that the clause ends before B. */
function both(a: string, b: string): string {
  return `${a}${a.includes(", which ") ? "," : ""} and ${b}`;
}

function isDerived(incompatibility: Incompatibility): boolean {
  return incompatibility.cause.kind === "derived";
}

/** The two causes of an incompatibility derived from one derived and one fact, in that order. */
function derivedAndFact(incompatibility: Incompatibility): [Incompatibility, Incompatibility] | null {
  const cause = incompatibility.cause;
  if (cause.kind !== "derived" || isDerived(cause.left) === isDerived(cause.right)) return null;
  return isDerived(cause.left) ? [cause.left, cause.right] : [cause.right, cause.left];
}

function causedByTwoFacts(incompatibility: Incompatibility): boolean {
  const cause = incompatibility.cause;
  return cause.kind === "derived" && !isDerived(cause.left) && !isDerived(cause.right);
}

/** Incompatibilities and their terms in words, with versions as ranges over what is available. */
class Describer {
  private readonly ascending = new Map<PackageName, number[] | null>();

  constructor(
    private readonly versionsOf: (name: PackageName) => readonly string[],
    private readonly root: PackageName,
  ) {}

  /** A fact, in the words of what it came from. */
  external(incompatibility: Incompatibility): string {
    const cause = incompatibility.cause;
    switch (cause.kind) {
      case "dependency": {
        const who =
          cause.package === this.root ? "you require" : `${cause.package}==${cause.version} depends on`;
        // A dependency no version satisfies has no term for it (a full set constrains nothing).
        let none = "";
        if (!incompatibility.terms.has(cause.dependency))
          none =
            this.versionsOf(cause.dependency).length === 0
              ? ", which has no available versions"
              : `, which no version of ${cause.dependency} satisfies`;
        return `${who} ${cause.requirement}${none}`;
      }
      case "no-versions":
        return `no version of ${cause.package} is available`;
      case "unavailable":
        return `${cause.package}==${cause.version} cannot be used (${cause.reason})`;
      case "root":
        return "your requirements are to be resolved";
      case "derived":
        return this.derived(incompatibility);
    }
  }

  /** What an incompatibility says, from its terms: the root's, always true, is left out. */
  derived(incompatibility: Incompatibility): string {
    const positive: string[] = [];
    const required: string[] = [];
    for (const [name, set] of incompatibility.terms) {
      if (name === this.root) continue;
      if (set.allowsNotSelected) required.push(this.versions(name, set.complement(), "any"));
      else positive.push(this.versions(name, set, "all"));
    }
    if (positive.length === 0 && required.length === 0) return "your requirements cannot be satisfied";
    if (positive.length === 0)
      return `${required.join(" and ")} ${required.length === 1 ? "is" : "are"} required`;
    if (required.length === 0)
      return positive.length === 1
        ? `${positive[0]} cannot be used`
        : `${positive.join(" and ")} cannot be used together`;
    const subject = positive.join(" and ");
    return `${subject} ${positive.length === 1 && !subject.startsWith("all ") ? "depends" : "depend"} on ${required.join(" or ")}`;
  }

  /**
   * The versions of `name` in `set` (its "not selected" value aside): `name==1.0`, a range
   * (`name>=1.0,<2.0`, bounded by the available versions around it), or a list.
   */
  private versions(name: PackageName, set: VersionSet, whole: "all" | "any"): string {
    const all = this.versionsOf(name);
    const chosen = set.indices();
    if (chosen.length === 0) return `no version of ${name}`;
    if (chosen.length === all.length)
      return whole === "all" && all.length > 1 ? `all versions of ${name}` : name;
    if (chosen.length === 1) return `${name}==${all[chosen[0]]}`;
    const order = this.order(name);
    let listed = chosen;
    if (order !== null) {
      const ranks = chosen.map((index) => order.indexOf(index)).sort((a, b) => a - b);
      const first = ranks[0];
      const last = ranks[ranks.length - 1];
      if (last - first + 1 === ranks.length) {
        const lower = first > 0 ? `>=${all[order[first]]}` : "";
        const upper = last < order.length - 1 ? `<${all[order[last + 1]]}` : "";
        return `${name}${[lower, upper].filter(Boolean).join(",")}`;
      }
      listed = ranks.map((rank) => order[rank]); // in version order
    }
    const shown = listed.slice(0, 4).map((index) => all[index]);
    const more = chosen.length > 4 ? ` and ${chosen.length - 4} more` : "";
    return `${name} in {${shown.join(", ")}${more}}`;
  }

  /** The package's version indices from lowest to highest version; null if one does not parse. */
  private order(name: PackageName): number[] | null {
    let order = this.ascending.get(name);
    if (order === undefined) {
      const parsed: Array<[number, Version]> = [];
      for (const [index, text] of this.versionsOf(name).entries()) {
        const version = tryParseVersion(text);
        if (version === null) break;
        parsed.push([index, version]);
      }
      order =
        parsed.length === this.versionsOf(name).length
          ? parsed.sort((a, b) => compareVersions(a[1], b[1])).map(([index]) => index)
          : null;
      this.ascending.set(name, order);
    }
    return order;
  }
}
