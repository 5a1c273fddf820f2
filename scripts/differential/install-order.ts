// Compares spice's reading of pip's installation and pinning orders (src/resolver/install-order.ts)
// with the orders pip 23.2.1 installed and reported real package sets in (install-order.py).
//   node --import tsx scripts/differential/install-order.ts CASES.json

import { readFileSync } from "node:fs";
import { pipInstallationOrder, pipPinningOrder } from "../../src/resolver/install-order.ts";
import type { ResolvedPackage } from "../../src/resolver/resolve.ts";
import { readCoreMetadata } from "../../src/standards/core-metadata.ts";
import type { MarkerEnvironment } from "../../src/standards/marker.ts";
import { parseRequirement } from "../../src/standards/requirement.ts";

interface Case {
  name: string;
  pip: string[];
  pins: string[];
  metadata: Record<string, string>;
  requirements: string[];
  markers: MarkerEnvironment;
  dependencies: boolean;
}

const cases = JSON.parse(readFileSync(process.argv[2], "utf8")) as Case[];
let failed = 0;
for (const item of cases) {
  const packages = new Map(
    Object.entries(item.metadata).map(([name, text]) => [
      name,
      { metadata: readCoreMetadata(text) } as ResolvedPackage,
    ]),
  );
  const options = {
    requirements: item.requirements.map(parseRequirement),
    markers: item.markers,
    dependencies: item.dependencies,
    ignoreRequiresPython: false,
  };
  for (const [what, pip, spice] of [
    ["installation", item.pip, pipInstallationOrder(packages, options)],
    ["pinning", item.pins, pipPinningOrder(packages, options)],
  ] as const) {
    if (spice.join(" ") === pip.join(" ")) continue;
    failed++;
    console.log(`FAIL ${item.name}, ${what} order\n  pip:   ${pip.join(" ")}\n  spice: ${spice.join(" ")}`);
  }
}
console.log(`installation and pinning orders: ${cases.length * 2 - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
