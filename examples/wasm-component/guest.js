// A WebAssembly component guest written in JavaScript: it calls two tools of
// @modelcontextprotocol/server-everything through the host and returns a JSON result.
// Built into everything-tools.wasm by build.mjs (jco componentize, StarlingMonkey engine).
import { callTool, log } from "mcp:tools/host@0.1.0";

/**
 * Calls a tool and parses its value. call-tool returns JSON text on success; on failure the
 * bindings throw, with the host's JSON error document ({code, message, details}) as payload.
 */
function call(tool, args) {
  try {
    return JSON.parse(callTool("everything", tool, JSON.stringify(args)));
  } catch (error) {
    const text = typeof error?.payload === "string" ? error.payload : String(error);
    let document;
    try {
      document = JSON.parse(text);
    } catch {
      document = { code: "UNKNOWN", message: text };
    }
    const failure = new Error(`${tool}: ${document.message}`);
    failure.code = document.code;
    throw failure;
  }
}

// `run` returns result<string, string>: ComponentizeJS makes a returned string `ok` and a thrown
// string `err` (a thrown Error object cannot be lowered to a string and traps).
export function run() {
  try {
    return collect();
  } catch (error) {
    throw error instanceof Error ? error.message : String(error);
  }
}

function collect() {
  log("info", "calling echo and get-sum on server everything");
  const echo = call("echo", { message: "hello from a WebAssembly component" });
  const sum = call("get-sum", { a: 19, b: 23 });
  let missingTool;
  try {
    call("no-such-tool", {});
  } catch (error) {
    missingTool = error.code;
  }
  console.log(`get-sum answered: ${sum}`);
  return JSON.stringify({ echo, sum, missingTool });
}
