// The order in which pip 23.2 installs a resolution (its resolver's get_installation_order), for
// where the order decides the outcome: two wheels that hold one file, the copy installed last
// staying. pip weighs the packages in its resolver's graph: leaves are pruned round after round,
// each round's weighing more than the next (what depends on nothing goes first), and what is
// left (cycles) by its longest path from the root; it installs by weight, then by name, both
// descending. The graph is pip's: a node per requirement with extras (`name[a,b]`, which
// depends on `name`) and one for Requires-Python, which every package declaring it depends on.

import type { MarkerEnvironment } from "../standards/marker.ts";
import { canonicalizeName } from "../standards/name.ts";
import type { Requirement } from "../standards/requirement.ts";
import type { ResolvedPackage } from "./resolve.ts";

const ROOT = "";
const PYTHON = "<Python from Requires-Python>";

export interface InstallOrderOptions {
  /** The user's requirements: the root's edges. */
  requirements: readonly Requirement[];
  markers: MarkerEnvironment;
  /** False with --no-deps: pip then adds no edges for dependencies (Requires-Python's stay). */
  dependencies: boolean;
  /** With --ignore-requires-python pip adds no Requires-Python node. */
  ignoreRequiresPython: boolean;
}

/** pip's node for a requirement: its canonical name, and its extras sorted (`name[a,b]`). */
function nodeOf(requirement: Requirement): string {
  const extras = [...new Set(requirement.extras.map((extra) => canonicalizeName(extra)))].sort();
  return extras.length === 0
    ? requirement.canonicalName
    : `${requirement.canonicalName}[${extras.join(",")}]`;
}

/** The names of `packages` in the order pip installs them (the first first). */
export function pipInstallationOrder(
  packages: ReadonlyMap<string, ResolvedPackage>,
  options: InstallOrderOptions,
): string[] {
  const { markers } = options;
  const graph = new Map<string, Set<string>>([[ROOT, new Set()]]);
  const holds = (requirement: Requirement, extra: string) =>
    requirement.marker === null || requirement.marker.evaluate({ ...markers, extra });
  // Each node's children, made when first reached (pip's graph has what the root reaches).
  const reach = (node: string): void => {
    if (graph.has(node)) return;
    const children = new Set<string>();
    graph.set(node, children);
    const bracket = node.indexOf("[");
    const name = bracket < 0 ? node : node.slice(0, bracket);
    const metadata = packages.get(name)?.metadata ?? null;
    const requirements: Requirement[] = [];
    if (bracket >= 0) {
      children.add(name);
      if (options.dependencies && metadata !== null) {
        // pip's iter_dependencies(extras): an entry holding for any of the extras it provides.
        const extras = node
          .slice(bracket + 1, -1)
          .split(",")
          .filter((extra) => metadata.providesExtra.includes(extra));
        if (extras.length === 0)
          requirements.push(...metadata.requirementsFor(null).filter((r) => holds(r, "")));
        else
          for (const requirement of new Set(extras.flatMap((extra) => metadata.requirementsFor(extra))))
            if (extras.some((extra) => holds(requirement, extra))) requirements.push(requirement);
      }
    } else if (metadata !== null) {
      if (options.dependencies)
        requirements.push(...metadata.requirementsFor(null).filter((requirement) => holds(requirement, "")));
      if (
        metadata.requiresPython !== null &&
        metadata.requiresPython.toString() !== "" &&
        !options.ignoreRequiresPython
      )
        children.add(PYTHON);
    }
    for (const requirement of requirements)
      if (packages.has(requirement.canonicalName)) children.add(nodeOf(requirement));
    for (const child of children) reach(child);
  };
  for (const requirement of options.requirements)
    if (packages.has(requirement.canonicalName) && holds(requirement, "")) {
      graph.get(ROOT)?.add(nodeOf(requirement));
      reach(nodeOf(requirement));
    }
  // Every package is in pip's graph (reached through the root, or as the root's own).
  for (const name of packages.keys()) {
    if (!graph.has(name)) graph.get(ROOT)?.add(name);
    reach(name);
  }

  const weights = new Map<string, number>();
  for (;;) {
    const leaves = [...graph].filter(([node, children]) => node !== ROOT && children.size === 0);
    if (leaves.length === 0) break;
    for (const [leaf] of leaves) if (packages.has(leaf)) weights.set(leaf, graph.size - 1);
    for (const [leaf] of leaves) graph.delete(leaf);
    for (const children of graph.values()) for (const [leaf] of leaves) children.delete(leaf);
  }
  // What cycles keep: the longest path from the root, each node at most once on it.
  const path = new Set<string>();
  const visit = (node: string): void => {
    if (path.has(node)) return;
    path.add(node);
    for (const child of graph.get(node) ?? []) visit(child);
    path.delete(node);
    if (packages.has(node)) weights.set(node, Math.max(weights.get(node) ?? 0, path.size));
  };
  visit(ROOT);
  return [...packages.keys()].sort((a, b) => {
    const byWeight = (weights.get(b) ?? 0) - (weights.get(a) ?? 0);
    return byWeight !== 0 ? byWeight : a < b ? 1 : a > b ? -1 : 0;
  });
}
