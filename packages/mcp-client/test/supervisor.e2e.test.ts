/**
 * The watcher of supervisor.ts, in a process that dies by SIGKILL: the groups it still had
 * registered die with it, and a released group survives.
 * Runs the built module (dist/) in a child Node process, as the CLI does.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { eventually, processAlive } from "../../../test/fixtures/servers/harness.mjs";

const SUPERVISOR = fileURLToPath(new URL("../dist/supervisor.js", import.meta.url));

const OWNER = `
import { spawn } from "node:child_process";
const { superviseGroup } = await import(process.argv[1]);
const sleeper = () => spawn("sleep", ["300"], { detached: true, stdio: "ignore" });
const [kept, released, other] = [sleeper(), sleeper(), sleeper()];
const guards = [kept, released, other].map((child) => superviseGroup(child.pid));
guards[1].release();
console.log(JSON.stringify({ kept: kept.pid, released: released.pid, other: other.pid }));
setInterval(() => {}, 1000);
`;

describe("superviseGroup", () => {
  it("SIGKILLs the registered groups when their owner is SIGKILLed, and only those", async () => {
    const owner = spawn(process.execPath, ["--input-type=module", "-e", OWNER, SUPERVISOR], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const pids = await new Promise<{ kept: number; released: number; other: number }>((resolve, reject) => {
      let text = "";
      owner.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        text += chunk;
        if (text.includes("\n")) resolve(JSON.parse(text));
      });
      owner.once("exit", (code) => reject(new Error(`owner exited with ${code}`)));
    });
    try {
      expect([pids.kept, pids.released, pids.other].every(processAlive)).toBe(true);
      owner.kill("SIGKILL");
      expect(await eventually(() => !processAlive(pids.kept) && !processAlive(pids.other), 20_000)).toBe(
        true,
      );
      expect(processAlive(pids.released)).toBe(true);
    } finally {
      for (const pid of [pids.kept, pids.released, pids.other]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
  });
});
