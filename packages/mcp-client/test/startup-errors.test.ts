import { McpCliError } from "@mcp-execution/core";
import { describe, expect, it } from "vitest";
import { ConnectionState, type Credentials, translate } from "../src/connection/errors.js";
import { loadSdk } from "../src/connection/sdk.js";
import { Redactor } from "../src/redact.js";

const credentials: Credentials = { header: false, oauth: false };

describe("startup failures", () => {
  it("a failed write of initialize to a server that exited is CONNECT_FAILED, like the close it races with", async () => {
    const sdk = await loadSdk();
    const state = new ConnectionState(new Redactor([]));
    state.exit = { code: 1, signal: null };
    const writeFailure = new McpCliError("CONNECTION_CLOSED", "the server process is no longer running");
    const startup = translate(
      sdk,
      writeFailure,
      { server: "leaky", phase: "startup", where: "stdio", state },
      credentials,
    );
    expect(startup.code).toBe("CONNECT_FAILED");
    expect(startup.message).toContain("closed the connection while starting");
    // Later, the same failure is what it says: the connection closed.
    const later = translate(
      sdk,
      writeFailure,
      { server: "leaky", phase: "request", where: "stdio", state },
      credentials,
    );
    expect(later.code).toBe("CONNECTION_CLOSED");
  });
});
