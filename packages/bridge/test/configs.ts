/**
 * Server configuration entries for tests: the MCP client (mcp-client)'s helpers, shared rather than copied
 * (the bridge depends on the MCP client (mcp-client), and both test against the same fixture servers).
 */
export {
  type Extra,
  everythingStdio,
  fixtureConfig,
  remoteConfig,
  stdioConfig,
} from "../../mcp-client/test/configs.js";
