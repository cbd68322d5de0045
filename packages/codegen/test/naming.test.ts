import { isMcpCliError } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { assignUnique, camelCase, pascalCase, propertyKey } from "../src/identifiers.js";
import { naturalFileStem, naturalFunctionName, planToolNames } from "../src/tool-naming.js";
import { readRecording } from "./corpus.js";

describe("camelCase and pascalCase", () => {
  it.each([
    ["get-sum", "getSum"],
    ["get_sum", "getSum"],
    ["GET_SUM", "getSum"],
    ["getSum", "getSum"],
    ["GetSum", "getSum"],
    ["HTTPRequest", "httpRequest"],
    ["files.read", "filesRead"],
    ["a/b:c", "aBC"],
    ["créer", "creer"],
    ["2fa-verify", "tool2faVerify"],
    ["名前", "tool"],
    ["", "tool"],
  ])("camelCase(%j) is %j", (name, expected) => {
    expect(camelCase(name, "tool")).toBe(expected);
  });

  it.each([
    ["TreeNode", "TreeNode"],
    ["legacy_item", "LegacyItem"],
    ["a/b c", "ABC"],
    ["2d-point", "Type2dPoint"],
    ["%%", "Type"],
  ])("pascalCase(%j) is %j", (name, expected) => {
    expect(pascalCase(name, "Type")).toBe(expected);
  });

  it("quotes property keys that are not identifiers, escaping line separators", () => {
    expect(propertyKey("name")).toBe("name");
    expect(propertyKey("$ok_1")).toBe("$ok_1");
    expect(propertyKey("my-key")).toBe('"my-key"');
    expect(propertyKey("")).toBe('""');
    expect(propertyKey("1abc")).toBe('"1abc"');
    expect(propertyKey("a\u2028b")).toBe('"a\\u2028b"');
  });
});

describe("assignUnique", () => {
  const natural = (name: string) => name.toLowerCase();
  const suffix = (value: string, n: number) => `${value}-${n}`;

  it("lets the name equal to its value keep it, whatever the order", () => {
    const forward = assignUnique(["B", "b", "c"], natural, suffix);
    const backward = assignUnique(["c", "b", "B"], natural, suffix);
    expect(Object.fromEntries(forward)).toEqual({ b: "b", B: "b-2", c: "c" });
    expect(Object.fromEntries(backward)).toEqual(Object.fromEntries(forward));
  });

  it("skips suffixed values that another name already has naturally", () => {
    const result = assignUnique(["X", "x", "x-2"], natural, suffix);
    expect(Object.fromEntries(result)).toEqual({ x: "x", "x-2": "x-2", X: "x-3" });
  });
});

describe("tool file names and function names", () => {
  it.each([
    ["echo", "echo"],
    ["get-sum", "get-sum"],
    ["files.read", "files_read"],
    ["a/b", "a_b"],
    ["a:b", "a_b"],
    [".hidden", "_hidden"],
    ["..", "__"],
    ["-rf", "_rf"],
    ["index", "index_tool"],
    ["Manifest", "Manifest_tool"],
    ["CON", "CON_tool"],
    ["lpt1", "lpt1_tool"],
    ["index.d", "index_d"],
    ["名前", "__"],
    ["emoji😀", "emoji_"],
  ])("naturalFileStem(%j) is %j", (name, expected) => {
    expect(naturalFileStem(name)).toBe(expected);
  });

  it.each([
    ["delete", "deleteTool"],
    ["default", "defaultTool"],
    ["callTool", "callToolTool"],
    ["read_file", "readFileTool"],
    ["console", "consoleTool"],
    ["get-sum", "getSum"],
  ])("naturalFunctionName(%j) is %j", (name, expected) => {
    expect(naturalFunctionName(name)).toBe(expected);
  });

  it("plans the naming fixture: unique, safe, case-insensitively distinct, order independent", () => {
    const names = readRecording("naming.json").tools.map((tool) => tool.name);
    const plan = planToolNames("naming", names);
    const reversed = planToolNames("naming", [...names].reverse());
    expect([...plan.entries()].sort()).toEqual([...reversed.entries()].sort());

    const stems = [...plan.values()].map((entry) => entry.fileStem);
    expect(new Set(stems.map((stem) => stem.toLowerCase())).size).toBe(names.length);
    for (const stem of stems) expect(stem).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]*$/);
    const functions = [...plan.values()].map((entry) => entry.functionName);
    expect(new Set(functions).size).toBe(names.length);
    for (const name of functions) expect(name).toMatch(/^[a-z][A-Za-z0-9]*$/);

    const pick = (tool: string) => {
      const entry = plan.get(tool)!;
      return [entry.fileStem, entry.functionName];
    };
    expect(pick("getSum")).toEqual(["getSum", "getSum"]);
    // Code-unit order decides among names that do not equal their value: "G" < "g", "-" < "_".
    expect(pick("GET_SUM")).toEqual(["GET_SUM", "getSum2"]);
    expect(pick("get-sum")).toEqual(["get-sum", "getSum3"]);
    expect(pick("get_sum")).toEqual(["get_sum-2", "getSum4"]);
    expect(pick("a_b")).toEqual(["a_b", "aB3"]);
    expect(pick("a/b")).toEqual(["a_b-2", "aB"]);
    expect(pick("a:b")).toEqual(["a_b-3", "aB2"]);
    expect(pick("créer")).toEqual(["creer", "creer"]);
    expect(pick("delete")).toEqual(["delete", "deleteTool"]);
    expect(pick("manifest")).toEqual(["manifest_tool", "manifest"]);
    expect(pick("Index")).toEqual(["Index_tool", "index2"]);
    expect(pick("index")).toEqual(["index_tool-2", "index"]);
    expect(pick("Echo")).toEqual(["Echo", "echo2"]);
    expect(pick("echo")).toEqual(["echo-2", "echo"]);
    expect(pick("tool")).toEqual(["tool", "tool"]);
    expect(pick("..")).toEqual(["__", "tool2"]);
    expect(pick("データ")).toEqual(["___", "tool3"]);
    expect(pick("名前")).toEqual(["__-2", "tool4"]);
    expect(plan.get("get-sum")).toMatchObject({ inputType: "GetSum3Input", outputType: "GetSum3Output" });
  });

  it("rejects a tool listed twice with NAME_INVALID", () => {
    expect(() => planToolNames("s", ["a", "b", "a"])).toThrow(/lists the tool "a" twice/);
    try {
      planToolNames("s", ["a", "a"]);
    } catch (error) {
      expect(isMcpCliError(error, "NAME_INVALID")).toBe(true);
    }
  });

  it("rejects empty, over-long and control-character tool names with NAME_INVALID", () => {
    for (const bad of ["", "x".repeat(129), "a\nb"]) {
      let caught: unknown;
      try {
        planToolNames("s", [bad]);
      } catch (error) {
        caught = error;
      }
      expect(isMcpCliError(caught, "NAME_INVALID")).toBe(true);
    }
  });
});
