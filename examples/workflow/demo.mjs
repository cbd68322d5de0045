#!/usr/bin/env node
// The end-to-end workflow of mcp-cli against the bundled @modelcontextprotocol/server-everything,
// with nothing configured: this directory brings its own mcp.json, and everything the demo writes
// goes to a temporary directory (removed at the end unless --keep).
//
//   node examples/workflow/demo.mjs [--keep]      (after pnpm install && pnpm build)
//
// Each step prints the command it runs, then its output. Any failing step stops the demo with
// that step's exit code.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const cli = join(root, "packages", "cli", "dist", "bin.js");
const keep = process.argv.includes("--keep");

if (!existsSync(cli)) {
  console.error(
    `mcp-cli is not built yet (${relative(process.cwd(), cli)} is missing): run pnpm build first.`,
  );
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), "mcp-cli-demo-"));
const config = join(here, "mcp.json");
const skills = join(work, "skills");
const script = join(here, "agent-report.ts");
// mcp.json starts `mcp-server-everything`; the workspace's node_modules/.bin has it.
const env = {
  ...process.env,
  PATH: `${join(root, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
};
const bold = (text) =>
  process.stdout.isTTY && !("NO_COLOR" in process.env) ? `\u001b[1m${text}\u001b[22m` : text;

let stepNumber = 0;
function step(title, args) {
  stepNumber += 1;
  const shown = args
    .map((arg) => (arg.includes(" ") ? `'${arg}'` : arg))
    .join(" ")
    .replaceAll(work, "$DEMO")
    .replaceAll(here, "examples/workflow");
  console.log(`\n${bold(`${stepNumber}. ${title}`)}\n$ mcp-cli ${shown}`);
  const result = spawnSync(process.execPath, [cli, "--config", config, ...args], {
    cwd: work,
    env,
    stdio: "inherit",
  });
  if (result.status !== 0) {
    console.error(`\nstep ${stepNumber} failed with exit code ${result.status ?? result.signal}`);
    finish(result.status ?? 1);
  }
}

function show(title, path, lines) {
  console.log(`\n${bold(title)} (${relative(work, path)}, first ${lines} lines)`);
  console.log(readFileSync(path, "utf8").split("\n").slice(0, lines).join("\n"));
}

function finish(code) {
  if (keep) console.log(`\nEverything the demo wrote is in ${work} (DEMO above).`);
  else rmSync(work, { recursive: true, force: true });
  process.exit(code);
}

console.log(
  `mcp-cli demo: config ${relative(process.cwd(), config)}, working directory ${keep ? work : "a temporary directory ($DEMO)"}`,
);

step("The demo's servers (from its own mcp.json)", ["server", "list"]);
step("What does server-everything offer?", ["introspect", "everything"]);
step("Generate its typed TypeScript API and measure the tokens", [
  "generate",
  "everything",
  "-o",
  join(work, "mcp-tools"),
]);
show("What the agent reads first", join(work, "mcp-tools", "SKILL.md"), 12);
show(
  "One generated wrapper",
  join(work, "mcp-tools", "servers", "everything", "get-structured-content.ts"),
  26,
);
step("One tool call, arguments coerced by the tool's schema", [
  "call",
  "everything",
  "get-sum",
  "a=19",
  "b=23",
]);
step("Run the agent's script: two tools in parallel, 203 calls, filtered in the sandbox", [
  "execute",
  script,
  "--server",
  "everything",
]);
step("Save the API as a skill (checksummed, atomic)", [
  "generate",
  "everything",
  "-o",
  join(work, "skill-tree"),
  "--save-skill",
  "everything-demo",
  "--skills-dir",
  skills,
]);
step("Verify the skill's checksums", ["skill", "verify", "everything-demo", "--skills-dir", skills]);
step("Run the same script from the skill, as JSON (fingerprint checked against the live server)", [
  "execute",
  script,
  "--skill",
  "everything-demo",
  "--skills-dir",
  skills,
  "--json",
]);
console.log(`\n${bold("Done.")} Every step above ran against a real server-everything over stdio.`);
finish(0);
