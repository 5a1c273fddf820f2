// `npm run demo`: what spice can do today, end to end and offline. Each step prints its command
// and its result; the demo fails if any step fails.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const spice = fileURLToPath(new URL("../dist/spice.mjs", import.meta.url));
const examples = fileURLToPath(new URL("../examples/", import.meta.url));

const steps = [
  ["python", "list"],
  ["python", "find", "3.12"],
  ["python", "find", ">=3.9,<3.11"],
  ["debug", "requirements", "requirements.txt"],
  [
    "debug",
    "versions",
    "1.0",
    "1.0.post1",
    "1.0rc1",
    "1.0.dev0",
    "0.9",
    "1.0+local",
    "--spec",
    ">=1.0,!=1.0.post1",
  ],
];

const started = performance.now();
for (const args of steps) {
  console.log(`\n$ spice ${args.map((arg) => (/[\s<>!=,*]/.test(arg) ? `'${arg}'` : arg)).join(" ")}`);
  const result = spawnSync(process.execPath, [spice, ...args], { cwd: examples, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`demo: step failed with exit code ${result.status}`);
    process.exit(1);
  }
}
console.log(`\ndemo: ${steps.length} steps in ${((performance.now() - started) / 1000).toFixed(1)}s`);
