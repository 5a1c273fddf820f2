// Two orders of pip 23.2 for a resolution, read off its graph where the order decides an
// outcome or shows: the order it installs in (its resolver's get_installation_order), which
// decides whose copy of a file two wheels share stays (the one installed last); and the order
// its resolver pins packages in, which its installation report lists them in.
//
// pip's graph: a node per requirement with extras (`name[a,b]`, which depends on `name`), and one
// for Requires-Python, which every package declaring it depends on.

import type { MarkerEnvironment } from "../standards/marker.ts";
import { canonicalizeName } from "../standards/name.ts";
import type { Requirement } from "../standards/requirement.ts";
import type { ResolvedPackage } from "./resolve.ts";

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

/** An edge of pip's graph: the node required, and the operators of the requirement's specifier. */
interface Edge {
  node: string;
  operators: string[];
}

/** pip's node for a requirement: its canonical name, and its extras sorted (`name[a,b]`). */
function nodeOf(requirement: Requirement): string {
  const extras = [...new Set(requirement.extras.map((extra) => canonicalizeName(extra)))].sort();
  return extras.length === 0
    ? requirement.canonicalName
    : `${requirement.canonicalName}[${extras.join(",")}]`;
}

function edgeOf(requirement: Requirement): Edge {
  return { node: nodeOf(requirement), operators: requirement.specifier.specs.map((spec) => spec.operator) };
}

/** The root's edges (the user's requirements that apply and were resolved), and each node's. */
function pipGraph(
  packages: ReadonlyMap<string, ResolvedPackage>,
  options: InstallOrderOptions,
): { root: Edge[]; dependenciesOf: (node: string) => Edge[] } {
  const holds = (requirement: Requirement, extra: string) =>
    requirement.marker === null || requirement.marker.evaluate({ ...options.markers, extra });
  const resolved = (requirement: Requirement) => packages.has(requirement.canonicalName);
  const dependenciesOf = (node: string): Edge[] => {
    if (node === PYTHON) return [];
    const bracket = node.indexOf("[");
    const name = bracket < 0 ? node : node.slice(0, bracket);
    const metadata = packages.get(name)?.metadata ?? null;
    const requirements: Requirement[] = [];
    const edges: Edge[] = [];
    if (bracket >= 0) {
      edges.push({ node: name, operators: [] });
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
        edges.push({ node: PYTHON, operators: [] });
    }
    return [...edges, ...requirements.filter(resolved).map(edgeOf)];
  };
  const root = options.requirements.filter((r) => resolved(r) && holds(r, "")).map(edgeOf);
  // Every package is in pip's graph (reached through the root, or as the root's own).
  const reached = new Set<string>();
  const reach = (node: string): void => {
    if (reached.has(node)) return;
    reached.add(node);
    for (const edge of dependenciesOf(node)) reach(edge.node);
  };
  for (const edge of root) reach(edge.node);
  for (const name of packages.keys()) if (!reached.has(name)) root.push({ node: name, operators: [] });
  return { root, dependenciesOf };
}

/**
 * The names of `packages` in the order pip installs them (the first first): leaves are pruned
 * round after round, each round weighing more than the next (what depends on nothing goes
 * first), what is left (cycles) weighs its longest path from the root; by weight, then by name,
 * both descending.
 */
export function pipInstallationOrder(
  packages: ReadonlyMap<string, ResolvedPackage>,
  options: InstallOrderOptions,
): string[] {
  const { root, dependenciesOf } = pipGraph(packages, options);
  const ROOT = "";
  const graph = new Map<string, Set<string>>([[ROOT, new Set(root.map((edge) => edge.node))]]);
  const add = (node: string): void => {
    if (graph.has(node)) return;
    const children = new Set(dependenciesOf(node).map((edge) => edge.node));
    graph.set(node, children);
    for (const child of children) add(child);
  };
  for (const edge of root) add(edge.node);

  const weights = new Map<string, number>();
  for (;;) {
    const leaves = [...graph].filter(([node, children]) => node !== ROOT && children.size === 0);
    if (leaves.length === 0) break;
    for (const [leaf] of leaves) if (packages.has(leaf)) weights.set(leaf, graph.size - 1);
    for (const [leaf] of leaves) graph.delete(leaf);
    for (const children of graph.values()) for (const [leaf] of leaves) children.delete(leaf);
  }
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

/**
 * The names of `packages` in the order pip's resolver pins them, when it does not backtrack:
 * each round it pins the most preferred requirement not yet pinned (its provider's
 * get_preference: Requires-Python first, then one pinned with `==`, then the shallowest by the
 * depth its parents give it, the user's own in their order, one with any operator, by name).
 */
export function pipPinningOrder(
  packages: ReadonlyMap<string, ResolvedPackage>,
  options: InstallOrderOptions,
): string[] {
  const { root, dependenciesOf } = pipGraph(packages, options);
  // What each node is required with: the operators, and the parent (null: the user).
  const criteria = new Map<string, Array<{ operators: string[]; parent: string | null }>>();
  const require = (edges: readonly Edge[], parent: string | null) => {
    for (const { node, operators } of edges) {
      const information = criteria.get(node) ?? [];
      information.push({ operators, parent });
      criteria.set(node, information);
    }
  };
  require(root, null);
  const userRequested = new Map<string, number>();
  root.forEach((edge, index) => {
    if (!userRequested.has(edge.node)) userRequested.set(edge.node, index);
  });
  const depths = new Map<string, number>();
  const preference = (node: string): Array<number | string> => {
    const information = criteria.get(node) ?? [];
    const operators = information.flatMap((item) => item.operators);
    let depth: number;
    if (userRequested.has(node)) depth = 1;
    else
      depth =
        Math.min(...information.map((item) => (item.parent === null ? 0 : (depths.get(item.parent) ?? 0)))) +
        1;
    depths.set(node, depth);
    return [
      node === PYTHON ? 0 : 1,
      operators.some((operator) => operator.startsWith("==")) ? 0 : 1,
      depth,
      userRequested.get(node) ?? Number.POSITIVE_INFINITY,
      operators.length > 0 ? 0 : 1,
      node,
    ];
  };
  const before = (a: Array<number | string>, b: Array<number | string>): boolean => {
    for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return a[index] < b[index];
    return false;
  };
  const pinned: string[] = [];
  const isPinned = new Set<string>();
  for (;;) {
    let best: string | null = null;
    let bestKey: Array<number | string> = [];
    for (const node of criteria.keys()) {
      if (isPinned.has(node)) continue;
      const key = preference(node);
      if (best === null || before(key, bestKey)) [best, bestKey] = [node, key];
    }
    if (best === null) break;
    pinned.push(best);
    isPinned.add(best);
    require(dependenciesOf(best), best);
  }
  return pinned.filter((node) => packages.has(node));
}
