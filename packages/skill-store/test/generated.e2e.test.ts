/**
 * Round trips of real generated skills: codegen's tree for the recorded server-everything
 * manifest, and a tree generated from a live server-everything introspected over stdio.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GENERATOR_VERSION, generateTree, skillIdentity } from "@mcp-execution/codegen";
import { expandServerConfig, type ServerManifest, skillId } from "@mcp-execution/core";
import { computeFingerprint, connectServer, introspect } from "@mcp-execution/mcp-client";
import { afterAll, describe, expect, it } from "vitest";
import { childProcessesOf, eventually, everythingEntry } from "../../../test/fixtures/servers/harness.mjs";
import { FileSkillStore } from "../src/file-skill-store.js";
import { useTempDirectory } from "./fixture.js";

const temp = useTempDirectory();
const RECORDING = fileURLToPath(
  new URL("../../codegen/test/fixtures/server-everything.json", import.meta.url),
);

async function recordedEverything(): Promise<ServerManifest> {
  const recording = JSON.parse(readFileSync(RECORDING, "utf8")) as Omit<
    ServerManifest,
    "server" | "fingerprint"
  >;
  return {
    server: "everything",
    serverInfo: recording.serverInfo,
    protocolVersion: recording.protocolVersion,
    capabilities: recording.capabilities,
    ...(recording.instructions === undefined ? {} : { instructions: recording.instructions }),
    tools: recording.tools,
    fingerprint: await computeFingerprint(recording.tools),
  };
}

async function liveEverything(): Promise<ServerManifest> {
  const config = expandServerConfig(everythingEntry(), { env: {} });
  const connection = await connectServer(config, { environment: process.env });
  try {
    return await introspect(connection);
  } finally {
    await connection.close();
  }
}

afterAll(async () => {
  expect(await eventually(() => childProcessesOf().length === 0)).toBe(true);
});

describe("real generated skills", () => {
  it("saves and loads codegen's tree for the recorded server-everything manifest byte for byte", async () => {
    const manifest = await recordedEverything();
    const files = generateTree(manifest);
    const identity = skillIdentity([manifest]);
    const store = new FileSkillStore(temp.path);
    const summary = await store.save({
      name: identity.name,
      description: identity.description,
      manifest,
      files,
      generatorVersion: GENERATOR_VERSION,
    });
    expect(summary).toMatchObject({
      name: "everything",
      server: "everything",
      toolCount: manifest.tools.length,
    });

    const loaded = await store.load(identity.name);
    try {
      expect(loaded.verification.ok).toBe(true);
      // SKILL.md included: codegen already wrote this name and description, so nothing is rewritten.
      expect(loaded.files).toEqual(files);
      for (const file of files) {
        expect(readFileSync(join(temp.path, "everything", file.path), "utf8")).toBe(file.contents);
        expect(loaded.vfs.readFile(`/mcp-tools/${file.path}`)).toBe(file.contents);
      }
      expect(loaded.metadata).toMatchObject({
        serverName: "mcp-servers/everything",
        serverVersion: manifest.serverInfo.version,
        protocolVersion: manifest.protocolVersion,
        fingerprint: manifest.fingerprint,
        generatorVersion: GENERATOR_VERSION,
      });
    } finally {
      loaded.vfs.dispose();
    }
    expect(await store.checkFingerprint("everything", manifest.fingerprint)).toMatchObject({ matches: true });
  });

  it("saves a tree generated under another skill name with SKILL.md's front matter set to it", async () => {
    const manifest = await recordedEverything();
    const files = generateTree(manifest);
    const store = new FileSkillStore(temp.path);
    const name = skillId("everything-tools");
    await store.save({
      name,
      description: "Everything server tools. Use for tests.",
      manifest,
      files,
      generatorVersion: GENERATOR_VERSION,
    });
    const report = await store.verify(name);
    expect(report.ok).toBe(true);
    const skillMd = readFileSync(join(temp.path, name, "SKILL.md"), "utf8");
    expect(
      skillMd.startsWith(
        "---\nname: everything-tools\ndescription: Everything server tools. Use for tests.\n---\n",
      ),
    ).toBe(true);
    // The body after the front matter is codegen's, unchanged.
    const generatedSkill = files.find((file) => file.path === "SKILL.md")?.contents ?? "";
    expect(skillMd.slice(skillMd.indexOf("\n---\n") + 5)).toBe(
      generatedSkill.slice(generatedSkill.indexOf("\n---\n") + 5),
    );
  });

  it("round-trips a skill generated from a live server-everything and detects no rug pull", async () => {
    const manifest = await liveEverything();
    const identity = skillIdentity([manifest]);
    const store = new FileSkillStore(temp.path);
    await store.save({
      name: identity.name,
      description: identity.description,
      manifest,
      files: generateTree(manifest),
      generatorVersion: GENERATOR_VERSION,
    });
    const loaded = await store.load(identity.name);
    try {
      expect(loaded.verification.ok).toBe(true);
      expect(loaded.vfs.readFile("/mcp-tools/servers/everything/echo.ts")).toContain("echo");
    } finally {
      loaded.vfs.dispose();
    }
    // The same server, introspected again: same fingerprint.
    const again = await liveEverything();
    expect(await store.checkFingerprint(identity.name, again.fingerprint)).toMatchObject({
      matches: true,
      diff: { added: [], removed: [], changed: [] },
    });
  });
});
