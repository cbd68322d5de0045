/**
 * A FIFO planted where the generated tree has a file is refused without blocking (a plain open
 * would wait for a writer forever). Node cannot make a FIFO, so this starts `mkfifo`; the links
 * and other planted files are in links.test.ts.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { isMcpCliError } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { readContainedFile } from "../src/contained-path.js";
import { writeGeneratedTree } from "../src/output-tree.js";
import { useTempDirectory } from "./fixture.js";

const temp = useTempDirectory();

describe("the generated output tree (generate -o DIR)", () => {
  it("a FIFO in place of a file is refused without blocking", async () => {
    const out = join(temp.path, "out");
    mkdirSync(out);
    expect(spawnSync("mkfifo", [join(out, "SKILL.md")]).status).toBe(0);
    const written = await writeGeneratedTree(out, [{ path: "SKILL.md", contents: "# skill\n" }]).then(
      () => undefined,
      (error: unknown) => (isMcpCliError(error) ? error.code : error),
    );
    expect(written).toBe("PATH_INVALID");
    expect(await readContainedFile(out, "SKILL.md", 100)).toEqual({
      kind: "not-a-file",
      found: "a special file (FIFO, socket or device)",
    });
  });
});
