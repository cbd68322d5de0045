/**
 * Loading the official MCP SDK's v2 client (`@modelcontextprotocol/client`, ADR-009). It costs
 * about as much to import as v1 did, so it is loaded with `import()` on the first connection and
 * only commands that talk to servers pay for it.
 */
import { createRequire } from "node:module";

export type SdkModule = typeof import("@modelcontextprotocol/client");
export type SdkClient = import("@modelcontextprotocol/client").Client;
export type SdkTransport = import("@modelcontextprotocol/client").Transport;
export type SdkMessage = import("@modelcontextprotocol/client").JSONRPCMessage;
/** The v2 SDK's OAuth provider contract, the shape `src/auth/` implements. */
export type OAuthClientProvider = import("@modelcontextprotocol/client").OAuthClientProvider;

let sdkLoading: Promise<SdkModule> | undefined;

export function loadSdk(): Promise<SdkModule> {
  sdkLoading ??= import("@modelcontextprotocol/client");
  return sdkLoading;
}

let defaultClientInfo: { name: string; version: string } | undefined;

/** The `clientInfo` sent to servers: the caller's, or `mcp-cli` and this package's version. */
export function resolveClientInfo(info: { readonly name: string; readonly version: string } | undefined): {
  name: string;
  version: string;
} {
  if (info !== undefined) return { ...info };
  if (defaultClientInfo === undefined) {
    // From dist/connection/ the package's own manifest is two folders up; in the packed CLI (one
    // bundled dist/ folder) the CLI's manifest is one up. Either carries the version we ship.
    const require = createRequire(import.meta.url);
    let version = "0.0.0";
    for (const candidate of ["../../package.json", "../package.json"]) {
      try {
        version = (require(candidate) as { version: string }).version;
        break;
      } catch {
        // not at this depth
      }
    }
    defaultClientInfo = { name: "mcp-cli", version };
  }
  return defaultClientInfo;
}
