// Differential resolution: random package universes (3-5 projects, 1-5 versions each, random
// dependencies, an extra each, some markers) built as wheels in a find-links directory, resolved by pip 23.2.1 and by spice
// (dist/spice.cjs: run `npm run build` first) from the same root requirements. Prints every trial
// where one tool finds a solution and the other does not, and any solution that breaks a
// requirement (checked against the universe). Both succeeding with different solutions is fine:
// several can be valid, and the resolvers prefer differently.
//   node --import tsx scripts/differential/resolve.ts [SEED] [TRIALS] [SPICE OPTION...]
// Options after TRIALS go to spice only (`--resolution lowest`): whether a solution exists does
// not depend on which one a resolver prefers, so the two must still agree on that.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseRequirement } from "../../src/standards/requirement.ts";
import { parseVersion } from "../../src/standards/version.ts";
import { buildWheel, simplePackage } from "../../test/wheel-builder.ts";

const seed0 = Number(process.argv[2] ?? 1);
const trials = Number(process.argv[3] ?? 20);
const spiceOptions = process.argv.slice(4);
let state = seed0;
const rnd = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
const PY = join(homedir(), ".pyenv", "versions", "3.11.7", "bin", "python3");
const work = mkdtempSync(join(tmpdir(), "spice-differential-resolve-"));
const venv = join(work, "venv");
const SPICE = fileURLToPath(new URL("../../dist/spice.cjs", import.meta.url));
rmSync(venv, { recursive: true, force: true });
spawnSync(PY, ["-m", "venv", "--without-pip", venv]);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PIP_CONFIG_FILE: "/dev/null",
  PIP_DISABLE_PIP_VERSION_CHECK: "1",
  SPICE_CACHE_DIR: join(work, "cache"),
};
for (const key of Object.keys(env))
  if (key.startsWith("PIP_") && !["PIP_CONFIG_FILE", "PIP_DISABLE_PIP_VERSION_CHECK"].includes(key))
    delete env[key];
delete env.NODE_EXTRA_CA_CERTS;
let disagreements = 0;
for (let t = 0; t < trials; t++) {
  const dir = join(work, `u${t}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const names = ["pa", "pb", "pc", "pd", "pe"].slice(0, 3 + Math.floor(rnd() * 3));
  const versions: Record<string, string[]> = {};
  for (const n of names) versions[n] = ["1.0", "1.1", "2.0", "2.1", "3.0"].filter(() => rnd() < 0.6);
  for (const n of names) if (versions[n].length === 0) versions[n] = ["1.0"];
  const spec = (target: string) => {
    const v = pick(versions[target]);
    return `${target}${pick([">=", "<", "==", "!=", "~=", ">"])}${v}`;
  };
  const lines: string[] = [];
  const depsOf = new Map<string, string[]>();
  for (const n of names)
    for (const v of versions[n]) {
      const deps: string[] = [];
      for (const other of names)
        if (other !== n && rnd() < 0.35) deps.push(rnd() < 0.2 ? other : spec(other));
      // An extra with its own dependencies, asked for now and then, and a dependency whose
      // marker is false here.
      const extraDeps: string[] = [];
      for (const other of names) if (other !== n && rnd() < 0.3) extraDeps.push(spec(other));
      if (rnd() < 0.3) deps.push(`${pick(names.filter((m) => m !== n))}; python_version < "3.0"`);
      if (rnd() < 0.2) deps.push(`${pick(names.filter((m) => m !== n))}[x]`);
      buildWheel(dir, simplePackage(n, v, { requires: deps, extras: { x: extraDeps } }));
      depsOf.set(`${n}[x]==${v}`, extraDeps);
      lines.push(`${n} ${v}: ${deps.join(", ")}`);
      depsOf.set(`${n}==${v}`, deps);
    }
  const rootName = pick(names);
  const roots = [rnd() < 0.5 ? spec(rootName).replace(rootName, `${rootName}[x]`) : spec(rootName)];
  if (rnd() < 0.5) roots.push(spec(pick(names)));
  const pip = spawnSync(
    PY,
    [
      "-m",
      "pip",
      "--python",
      `${venv}/bin/python`,
      "install",
      "--dry-run",
      "--no-index",
      "--find-links",
      dir,
      "--report",
      "-",
      "-q",
      ...roots,
    ],
    { env, encoding: "utf8" },
  );
  const spice = spawnSync(
    "node",
    [
      SPICE,
      "pip",
      "install",
      "--dry-run",
      "--no-index",
      "--find-links",
      dir,
      "--python",
      `${venv}/bin/python`,
      ...spiceOptions,
      ...roots,
    ],
    { env, encoding: "utf8" },
  );
  const pipSet =
    pip.status === 0
      ? (JSON.parse(pip.stdout).install as Array<{ metadata: { name: string; version: string } }>)
          .map((i) => `${i.metadata.name}==${i.metadata.version}`)
          .sort()
          .join(" ")
      : "FAIL";
  const spiceSet =
    spice.status === 0
      ? [...spice.stderr.matchAll(/ \+ (\S+)/g)]
          .map((m) => m[1])
          .sort()
          .join(" ")
      : "FAIL";
  const valid = (set: string) => {
    if (set === "FAIL") return true;
    const chosen = new Map(set.split(" ").map((item) => item.split("==") as [string, string]));
    const extras = new Set<string>();
    const ok = (text: string): boolean => {
      if (text.includes("python_version")) return true;
      const requirement = parseRequirement(text);
      const version = chosen.get(requirement.name);
      if (requirement.extras.length > 0) extras.add(`${requirement.name}[x]==${version}`);
      return version !== undefined && requirement.specifier.contains(parseVersion(version), true);
    };
    let good = roots.every(ok) && [...chosen].every(([n, v]) => (depsOf.get(`${n}==${v}`) ?? []).every(ok));
    // An extra's dependencies may ask for further extras: a few rounds reach them all here.
    for (let round = 0; round < 5; round++)
      for (const key of [...extras]) good &&= (depsOf.get(key) ?? []).every(ok);
    return good;
  };
  if (!valid(spiceSet) || !valid(pipSet))
    console.log(`!!! INVALID trial ${t}: spice ${valid(spiceSet)} pip ${valid(pipSet)}`);
  if ((pipSet === "FAIL") !== (spiceSet === "FAIL")) {
    disagreements++;
    console.log(`--- trial ${t} roots ${roots.join(" ")}\n pip:   ${pipSet}\n spice: ${spiceSet}`);
    if ((pipSet === "FAIL") !== (spiceSet === "FAIL")) {
      console.log(lines.join("\n"));
      console.log(spice.stderr.slice(0, 600), pip.stderr.slice(-400));
    }
  }
}
console.log(`${trials} trials, ${disagreements} disagreements`);
rmSync(work, { recursive: true, force: true });
