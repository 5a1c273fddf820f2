// Compares spice's reading of pip's installation order (src/resolver/install-order.ts) with the
// order pip 23.2.1 installed real package sets in (install-order.py writes them).
//   node --import tsx scripts/differential/install-order.ts CASES.json

import { readFileSync } from "node:fs";
import { pipInstallationOrder } from "../../src/resolver/install-order.ts";
import type { ResolvedPackage } from "../../src/resolver/resolve.ts";
import { readCoreMetadata } from "../../src/standards/core-metadata.ts";
import type { MarkerEnvironment } from "../../src/standards/marker.ts";
import { parseRequirement } from "../../src/standards/requirement.ts";

interface Case {
  name: string;
  pip: string[];
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
  const order = pipInstallationOrder(packages, {
    requirements: item.requirements.map(parseRequirement),
    markers: item.markers,
    dependencies: item.dependencies,
    ignoreRequiresPython: false,
  });
  if (order.join(" ") === item.pip.join(" ")) continue;
  failed++;
  console.log(`FAIL ${item.name}\n  pip:   ${item.pip.join(" ")}\n  spice: ${order.join(" ")}`);
}
console.log(`installation order: ${cases.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
