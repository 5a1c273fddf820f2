// `npm run demo`: spice end to end, offline, from nothing but the repo. Each step prints its
// command and result; the demo fails if a step fails.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// The `spice` command as installed (bin/spice, the launcher in front of dist/spice.cjs).
const spice = fileURLToPath(new URL("../bin/spice", import.meta.url));
const examples = fileURLToPath(new URL("../examples/", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "spice-demo-"));
const wheels = join(work, "wheels");
const env = {
  ...process.env,
  SPICE_CACHE_DIR: join(work, "cache"),
  // Spare trees are made before each command exits, not in the background: the demo removes its
  // cache at the end, and nothing of it may still be running then.
  SPICE_SPARE_TREES: "inline",
  VIRTUAL_ENV: "",
  PIP_CONFIG_FILE: "/dev/null",
};
// Offline and reproducible: none of this machine's pip settings (PIP_INDEX_URL, PIP_FIND_LINKS, ...).
for (const key of Object.keys(env)) if (key.startsWith("PIP_") && key !== "PIP_CONFIG_FILE") delete env[key];
const started = performance.now();
let steps = 0;

function step(title, command, args, options = {}) {
  steps++;
  const shown = [command === spice ? "spice" : command === process.execPath ? "node" : command, ...args]
    .map((arg) => (/[\s<>!=,*;]/.test(arg) ? `'${arg}'` : arg.replace(work, "$DEMO")))
    .join(" ");
  console.log(`\n# ${title}\n$ ${shown}`);
  const result = spawnSync(command, args, { cwd: options.cwd ?? work, env, stdio: "inherit" });
  if (result.status !== 0 && !options.mayFail) {
    console.error(`demo: this step failed (exit ${result.status})`);
    rmSync(work, { recursive: true, force: true });
    process.exit(1);
  }
}

const run = (title, args, options) => step(title, spice, args, options);

try {
  step(
    "build the example wheels (examples/packages)",
    process.execPath,
    ["--import", "tsx", fileURLToPath(new URL("./example-wheels.ts", import.meta.url)), wheels],
    { cwd: fileURLToPath(new URL("..", import.meta.url)) },
  );
  // Serve the wheels as an index for the rest of the demo.
  steps++;
  console.log("\n# serve the wheels as a package index (PEP 503/691/658)\n$ spice serve $DEMO/wheels &");
  const server = spawn(spice, ["serve", wheels], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    server.stdout.once("data", (chunk) => resolve(String(chunk).trim()));
    server.once("exit", (code) => reject(new Error(`spice serve exited with ${code}`)));
  });
  console.log(url);
  try {
    const index = ["--index-url", url];
    run("the interpreters on this machine", ["python", "list"]);
    run("a virtual environment (no Python is run)", ["venv", join(work, ".venv"), "--python", "3.12"]);
    run("install the app from the index: its dependency and extra resolve", [
      "pip",
      "install",
      "spiceapp[color]",
      ...index,
    ]);
    step("run its console script", join(work, ".venv", "bin", "spiceapp"), ["spice user"]);
    run("what is installed (pip's format)", ["pip", "list"]);
    run("pin it", ["pip", "freeze"]);
    run("the dependency tree", ["pip", "tree"]);
    writeFileSync(join(work, "requirements.in"), "spiceapp\n");
    run("pin requirements.in with hashes (pip-tools' layout)", [
      "pip",
      "compile",
      "requirements.in",
      "-o",
      "requirements.txt",
      "--generate-hashes",
      ...index,
    ]);
    step("the pins", "cat", [join(work, "requirements.txt")]);
    run("make the environment exactly the pinned set (the extra's package goes)", [
      "pip",
      "sync",
      "requirements.txt",
      ...index,
    ]);
    run("is anything wrong?", ["doctor"]);
    run("read a requirements file as pip does", [
      "debug",
      "requirements",
      join(examples, "requirements.txt"),
    ]);
    const target = join(work, "pip-target");
    step("and pip itself installs from spice serve", "python3", [
      "-m",
      "pip",
      "install",
      "--index-url",
      url,
      "--target",
      target,
      "--quiet",
      "--root-user-action",
      "ignore",
      "--disable-pip-version-check",
      "spiceapp",
    ]);
    run("uninstall everything", ["pip", "uninstall", "spiceapp", "spicelib"]);
  } finally {
    // Wait for it to exit: on its way out it may still write to the cache removed below.
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
  }
  console.log(`\ndemo: ${steps} steps in ${((performance.now() - started) / 1000).toFixed(1)}s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
