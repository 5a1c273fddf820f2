// PubGrub (the version solver of Dart's pub, also behind uv): incompatibilities, unit
// propagation, conflict-driven backtracking with learned incompatibilities, and an explanation of
// failure in sentences (explain.ts).
//
// Each package's possible values are its known versions plus "not selected", so every term is a
// plain set over that finite universe (a bitmask): a dependency `p==1 -> q>=2` is the
// incompatibility {p ∈ {1}, q ∈ (versions outside >=2) ∪ {not selected}}. Set operations are then
// exact and cheap (version-set.ts), which keeps the solver loop allocation-light.

import { letDueSignalsIn } from "../util/interrupt.ts";
import { explainFailure } from "./explain.ts";
import { VersionSet } from "./version-set.ts";

export type PackageName = string;

export type Cause =
  | { kind: "root" }
  | {
      kind: "dependency";
      package: PackageName;
      version: string;
      dependency: PackageName;
      requirement: string;
    }
  | { kind: "no-versions"; package: PackageName; requirement: string }
  | { kind: "unavailable"; package: PackageName; version: string; reason: string }
  | { kind: "derived"; left: Incompatibility; right: Incompatibility };

export class Incompatibility {
  /** Package → the set the term asserts; the incompatibility says not all terms hold at once. */
  readonly terms: Map<PackageName, VersionSet>;

  constructor(
    terms: Map<PackageName, VersionSet>,
    readonly cause: Cause,
  ) {
    // A term that every value satisfies constrains nothing: leave it out.
    this.terms = new Map([...terms].filter(([, set]) => !set.isFull()));
  }
}

export type Dependency = {
  name: PackageName;
  allowed: (versions: string[]) => number[];
  requirement: string;
};

/**
 * What the solver asks of the outside world (indexes, metadata, requires-python filters). Both
 * may answer with a promise: the solver awaits, so metadata can come over the network.
 */
export interface SolverProvider {
  /** The candidate versions of a package, best first (the solver tries them in this order). */
  versions(name: PackageName): string[] | Promise<string[]>;
  /**
   * The dependencies of one version as (name, allowed version indices, requirement text), or a
   * reason the version cannot be used.
   */
  dependencies(
    name: PackageName,
    version: string,
  ): Dependency[] | { unavailable: string } | Promise<Dependency[] | { unavailable: string }>;
}

interface Assignment {
  package: PackageName;
  set: VersionSet;
  decisionLevel: number;
  /** null for decisions. */
  cause: Incompatibility | null;
}

export class SolveFailure extends Error {
  override name = "SolveFailure";
  constructor(
    readonly incompatibility: Incompatibility,
    readonly explanation: string,
  ) {
    super(explanation);
  }
}

export const ROOT = "<root>";

/** Undone decisions on one package before it is decided first (prioritizeConflicting). */
const CONFLICT_LIMIT = 5;

export class Solver {
  private readonly universes = new Map<PackageName, string[]>();
  private readonly incompatibilities = new Map<PackageName, Incompatibility[]>();
  private readonly assignments: Assignment[] = [];
  private readonly current = new Map<PackageName, VersionSet>();
  private readonly decided = new Map<PackageName, number>();
  private readonly expanded = new Set<string>();
  private decisionLevel = 0;
  /** How many times a decision on each package was undone by a conflict. */
  private readonly rejections = new Map<PackageName, number>();
  /** Packages decided before any other, in the order they earned it (see solve()). */
  private readonly prioritized = new Set<PackageName>();

  constructor(
    private readonly provider: SolverProvider,
    rootDependencies: Array<{
      name: PackageName;
      allowed: (versions: string[]) => number[];
      requirement: string;
    }>,
  ) {
    this.universes.set(ROOT, ["0"]);
    this.addIncompatibility(
      new Incompatibility(new Map([[ROOT, VersionSet.of(1, [], true)]]), { kind: "root" }),
    );
    this.rootDependencies = rootDependencies;
  }

  private readonly rootDependencies: Array<{
    name: PackageName;
    allowed: (versions: string[]) => number[];
    requirement: string;
  }>;

  /** The versions of a package the solver has loaded (every package it has met). */
  universe(name: PackageName): string[] {
    const versions = this.universes.get(name);
    if (versions === undefined) throw new Error(`PubGrub: versions of ${name} were not loaded`);
    return versions;
  }

  private async load(name: PackageName): Promise<string[]> {
    let versions = this.universes.get(name);
    if (versions === undefined) {
      versions = await this.provider.versions(name);
      this.universes.set(name, versions);
    }
    return versions;
  }

  private size(name: PackageName): number {
    return this.universe(name).length;
  }

  private addIncompatibility(incompatibility: Incompatibility): void {
    for (const name of incompatibility.terms.keys()) {
      const list = this.incompatibilities.get(name) ?? [];
      list.push(incompatibility);
      this.incompatibilities.set(name, list);
    }
  }

  /** Full sets by package: shared, since sets are never changed in place. */
  private readonly fullSets = new Map<PackageName, VersionSet>();

  private valueOf(name: PackageName): VersionSet {
    const value = this.current.get(name);
    if (value !== undefined) return value;
    let full = this.fullSets.get(name);
    if (full === undefined) {
      full = VersionSet.full(this.size(name));
      this.fullSets.set(name, full);
    }
    return full;
  }

  private assign(name: PackageName, set: VersionSet, cause: Incompatibility | null): void {
    this.assignments.push({ package: name, set, decisionLevel: this.decisionLevel, cause });
    this.current.set(name, this.valueOf(name).intersect(set));
  }

  /** The dependencies of `name`=`version` as incompatibilities (false when unavailable). */
  private async addDependencies(name: PackageName, version: string, index: number): Promise<void> {
    const key = `${name}\u0000${version}`;
    if (this.expanded.has(key)) return;
    this.expanded.add(key);
    const dependencies =
      name === ROOT ? this.rootDependencies : await this.provider.dependencies(name, version);
    const size = this.size(name);
    if ("unavailable" in dependencies) {
      this.addIncompatibility(
        new Incompatibility(new Map([[name, VersionSet.of(size, [index])]]), {
          kind: "unavailable",
          package: name,
          version,
          reason: dependencies.unavailable,
        }),
      );
      return;
    }
    // Load every dependency's versions (in parallel) before building terms over them.
    await Promise.all(dependencies.map((dependency) => this.load(dependency.name)));
    for (const dependency of dependencies) {
      const versions = this.universe(dependency.name);
      const allowed = VersionSet.of(versions.length, dependency.allowed(versions));
      const terms = new Map<PackageName, VersionSet>([
        [name, VersionSet.of(size, [index])],
        [dependency.name, allowed.complement()],
      ]);
      this.addIncompatibility(
        new Incompatibility(terms, {
          kind: "dependency",
          package: name,
          version,
          dependency: dependency.name,
          requirement: dependency.requirement,
        }),
      );
    }
  }

  /** Unit propagation from `changed`; returns a conflicting incompatibility, or null. */
  private propagate(changed: PackageName): void {
    const queue = [changed];
    while (queue.length > 0) {
      const name = queue.pop()!;
      const list = this.incompatibilities.get(name) ?? [];
      for (let i = list.length - 1; i >= 0; i--) {
        const incompatibility = list[i];
        let unsatisfied: PackageName | null = null;
        let contradicted = false;
        let conflict = true;
        for (const [termPackage, termSet] of incompatibility.terms) {
          const value = this.valueOf(termPackage);
          if (value.isSubsetOf(termSet)) continue; // satisfied
          if (value.isDisjointFrom(termSet)) {
            contradicted = true;
            break;
          }
          conflict = false;
          if (unsatisfied !== null) {
            unsatisfied = "<many>";
            break;
          }
          unsatisfied = termPackage;
        }
        if (contradicted) continue;
        if (conflict) {
          const learned = this.resolveConflict(incompatibility);
          // After backtracking, the learned incompatibility is almost satisfied: derive from it.
          const [termPackage, termSet] = this.almostSatisfied(learned);
          this.assign(termPackage, termSet.complement(), learned);
          queue.length = 0;
          queue.push(termPackage);
          break;
        }
        if (unsatisfied !== null && unsatisfied !== "<many>") {
          const termSet = incompatibility.terms.get(unsatisfied)!;
          this.assign(unsatisfied, termSet.complement(), incompatibility);
          queue.push(unsatisfied);
        }
      }
    }
  }

  private almostSatisfied(incompatibility: Incompatibility): [PackageName, VersionSet] {
    for (const [name, set] of incompatibility.terms) {
      if (!this.valueOf(name).isSubsetOf(set)) return [name, set];
    }
    const [first] = incompatibility.terms;
    return first;
  }

  private isRootFailure(incompatibility: Incompatibility): boolean {
    if (incompatibility.terms.size === 0) return true;
    if (incompatibility.terms.size !== 1) return false;
    return incompatibility.terms.get(ROOT)?.has(0) === true;
  }

  /** Conflict-driven backtracking: returns the learned incompatibility, or throws SolveFailure. */
  private resolveConflict(start: Incompatibility): Incompatibility {
    let incompatibility = start;
    for (;;) {
      if (this.isRootFailure(incompatibility))
        throw new SolveFailure(
          incompatibility,
          explainFailure(incompatibility, (name) => this.universe(name), ROOT),
        );
      // The earliest assignment after which the incompatibility is satisfied.
      const running = new Map<PackageName, VersionSet>();
      let satisfierIndex = -1;
      for (let i = 0; i < this.assignments.length; i++) {
        const assignment = this.assignments[i];
        if (!incompatibility.terms.has(assignment.package)) continue;
        const value = (
          running.get(assignment.package) ?? VersionSet.full(this.size(assignment.package))
        ).intersect(assignment.set);
        running.set(assignment.package, value);
        let satisfied = true;
        for (const [name, set] of incompatibility.terms) {
          const v = running.get(name) ?? VersionSet.full(this.size(name));
          if (!v.isSubsetOf(set)) {
            satisfied = false;
            break;
          }
        }
        if (satisfied) {
          satisfierIndex = i;
          break;
        }
      }
      if (satisfierIndex < 0) throw new Error("PubGrub: conflict without a satisfier (solver bug)");
      const satisfier = this.assignments[satisfierIndex];
      const term = incompatibility.terms.get(satisfier.package)!;
      // The level at which the incompatibility minus the satisfier's contribution was already satisfied.
      let previousLevel = 0;
      // Find the earliest index before the satisfier after which, together with the satisfier, the incompatibility holds.
      const together = new Map<PackageName, VersionSet>();
      for (let i = 0; i < satisfierIndex; i++) {
        const assignment = this.assignments[i];
        if (!incompatibility.terms.has(assignment.package)) continue;
        together.set(
          assignment.package,
          (together.get(assignment.package) ?? VersionSet.full(this.size(assignment.package))).intersect(
            assignment.set,
          ),
        );
        const withSatisfier = new Map(together);
        withSatisfier.set(
          satisfier.package,
          (withSatisfier.get(satisfier.package) ?? VersionSet.full(this.size(satisfier.package))).intersect(
            satisfier.set,
          ),
        );
        let satisfied = true;
        for (const [name, set] of incompatibility.terms) {
          if (!(withSatisfier.get(name) ?? VersionSet.full(this.size(name))).isSubsetOf(set)) {
            satisfied = false;
            break;
          }
        }
        if (satisfied) {
          previousLevel = assignment.decisionLevel;
          break;
        }
      }
      if (satisfier.cause === null || previousLevel < satisfier.decisionLevel) {
        if (incompatibility !== start) this.addIncompatibility(incompatibility);
        this.backtrack(previousLevel);
        return incompatibility;
      }
      // Resolve with the satisfier's cause.
      const cause = satisfier.cause;
      const terms = new Map<PackageName, VersionSet>();
      for (const source of [incompatibility, cause]) {
        for (const [name, set] of source.terms) {
          if (name === satisfier.package) continue;
          terms.set(name, terms.has(name) ? terms.get(name)!.intersect(set) : set);
        }
      }
      const combined = term.union(
        cause.terms.get(satisfier.package) ?? VersionSet.empty(this.size(satisfier.package)),
      );
      if (!combined.isFull()) terms.set(satisfier.package, combined);
      incompatibility = new Incompatibility(terms, { kind: "derived", left: incompatibility, right: cause });
    }
  }

  private backtrack(level: number): void {
    while (
      this.assignments.length > 0 &&
      this.assignments[this.assignments.length - 1].decisionLevel > level
    ) {
      const removed = this.assignments.pop()!;
      if (removed.cause === null) {
        this.decided.delete(removed.package);
        this.rejections.set(removed.package, (this.rejections.get(removed.package) ?? 0) + 1);
      }
    }
    this.decisionLevel = level;
    this.current.clear();
    for (const assignment of this.assignments)
      this.current.set(assignment.package, this.valueOf(assignment.package).intersect(assignment.set));
  }

  /**
   * A package whose decisions conflicts undid CONFLICT_LIMIT times is decided first from then on,
   * and the decisions made so far are undone (what was learned stays). Deciding `a` before `b`,
   * then walking down every version of `b` that needs another `a`, finds an old `b` that needs
   * none; deciding `b` first finds its newest version and the `a` it needs (uv does the same).
   */
  private prioritizeConflicting(): void {
    let added = false;
    for (const [name, count] of this.rejections) {
      if (count < CONFLICT_LIMIT || this.prioritized.has(name)) continue;
      this.prioritized.add(name);
      added = true;
    }
    if (!added || this.decisionLevel === 0) return;
    this.backtrack(0);
    for (const name of [...this.incompatibilities.keys()]) this.propagate(name);
  }

  /**
   * The package to decide next: one that must be selected (its value excludes "not selected")
   * and is undecided; one that kept conflicting first, else the one with the fewest versions left.
   */
  private nextPackage(): PackageName | null {
    const undecided = (name: PackageName, value: VersionSet) =>
      !this.decided.has(name) && !value.allowsNotSelected;
    for (const name of this.prioritized) {
      const value = this.current.get(name);
      if (value !== undefined && undecided(name, value)) return name;
    }
    let next: PackageName | null = null;
    let fewest = Number.POSITIVE_INFINITY;
    for (const [name, value] of this.current) {
      if (!undecided(name, value)) continue;
      const count = value.countVersions();
      if (count < fewest) {
        fewest = count;
        next = name;
      }
    }
    return next;
  }

  /** Solves, returning package → version (the root excluded). */
  async solve(): Promise<Map<PackageName, string>> {
    this.propagate(ROOT);
    for (;;) {
      this.prioritizeConflicting();
      const next = this.nextPackage();
      if (next === null) break;
      const value = this.valueOf(next);
      const index = value.firstVersion();
      if (index < 0) {
        // No version of `next` fits: learn it (as a conflict) and go on.
        const size = this.size(next);
        const incompatibility = new Incompatibility(
          new Map([
            [
              next,
              VersionSet.of(
                size,
                Array.from({ length: size }, (_, i) => i),
              ),
            ],
          ]),
          {
            kind: "no-versions",
            package: next,
            requirement: "",
          },
        );
        this.addIncompatibility(incompatibility);
        this.propagate(next);
        continue;
      }
      const version = this.universe(next)[index];
      // With every page cached, the awaits below never give the event loop a turn: Ctrl-C would
      // wait for the whole solve.
      await letDueSignalsIn();
      await this.addDependencies(next, version, index);
      this.decisionLevel++;
      this.decided.set(next, index);
      this.assign(next, VersionSet.of(this.size(next), [index]), null);
      this.propagate(next);
    }
    const solution = new Map<PackageName, string>();
    for (const [name, index] of this.decided)
      if (name !== ROOT) solution.set(name, this.universe(name)[index]);
    return solution;
  }
}
