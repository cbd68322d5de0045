/**
 * Issue 15.3: a skill saved from several servers records each server and its fingerprint, loads
 * and verifies like any other, and checks each server's tools against its own fingerprint.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isMcpCliError, type SaveSkillInput, skillId } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { compareFingerprints, FileSkillStore, skillServers } from "../src/file-skill-store.js";
import { fingerprintOf, fixtureInput, fixtureTools, useTempDirectory } from "./fixture.js";

const temp = useTempDirectory();

async function combinedInput(): Promise<SaveSkillInput> {
  const alpha = await fixtureInput({ server: "alpha", toolCount: 2 });
  const beta = await fixtureInput({ server: "beta", toolCount: 3 });
  return {
    ...alpha,
    name: skillId("alpha-beta"),
    manifests: [beta.manifest, alpha.manifest],
    files: [...alpha.files, ...beta.files.filter((file) => file.path.startsWith("servers/"))],
  };
}

describe("a skill of several servers", () => {
  it("records every server sorted by name, sums the tools and verifies", async () => {
    const store = new FileSkillStore(temp.path);
    const summary = await store.save(await combinedInput());
    expect(summary).toMatchObject({ name: "alpha-beta", server: "alpha", toolCount: 5 });
    const metadata = await store.info("alpha-beta");
    expect(skillServers(metadata).map((record) => [record.server, record.toolCount])).toEqual([
      ["alpha", 2],
      ["beta", 3],
    ]);
    expect((await store.verify("alpha-beta")).ok).toBe(true);
    const text = readFileSync(join(temp.path, "alpha-beta", "metadata.json"), "utf8");
    expect(JSON.parse(text).servers).toHaveLength(2);
  });

  it("checks each server against its own fingerprint; an unknown server is SERVER_UNKNOWN", async () => {
    const store = new FileSkillStore(temp.path);
    const input = await combinedInput();
    await store.save(input);
    const metadata = await store.info("alpha-beta");
    const beta = input.manifests?.find((manifest) => manifest.server === "beta");
    expect(compareFingerprints(metadata, beta!.fingerprint, "beta").matches).toBe(true);
    expect(compareFingerprints(metadata, beta!.fingerprint, "alpha").matches).toBe(false);
    const changed = await fingerprintOf(fixtureTools("v2", ["tool_0", "tool_1", "tool_2"]));
    const error = await store
      .checkFingerprint("alpha-beta", changed, { server: "beta" })
      .catch((caught) => caught);
    expect(isMcpCliError(error, "FINGERPRINT_MISMATCH")).toBe(true);
    expect((error as Error).message).toContain("mcp-cli generate alpha beta --save-skill alpha-beta");
    expect(() => compareFingerprints(metadata, changed, "gamma")).toThrowError(
      /not generated from server "gamma"/,
    );
  });

  it("one-server skills keep their metadata shape (no servers list)", async () => {
    const store = new FileSkillStore(temp.path);
    await store.save(await fixtureInput());
    const metadata = await store.info("demo-skill");
    expect(metadata.servers).toBeUndefined();
    expect(skillServers(metadata)).toHaveLength(1);
  });

  it("refuses manifests that name a server twice", async () => {
    const input = await combinedInput();
    const error = await new FileSkillStore(temp.path)
      .save({ ...input, manifests: [input.manifest, input.manifest] })
      .catch((caught) => caught);
    expect(isMcpCliError(error, "USAGE")).toBe(true);
  });
});
