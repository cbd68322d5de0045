#!/usr/bin/env node
// The client the official MCP conformance suite drives for its `auth/*` scenarios
// (test/conformance/run-auth.mjs runs them): `node auth-client.mjs <server-url>`, with the
// scenario in MCP_CONFORMANCE_SCENARIO and its context in MCP_CONFORMANCE_CONTEXT.
//
// It behaves as mcp-cli does, with mcp-cli's own auth code (packages/mcp-client/dist): connect with
// the stored login (StoredOAuthProvider on a real SDK v2 transport); on AUTH_REQUIRED run the
// `auth login` flow (login(): discovery, registration, PKCE, resource indicator, scopes from the
// challenge, loopback redirect, browser opened through the BROWSER convention), with the scope the
// error names for a step-up; then connect again. At most three logins, as a person would give up.
//
// The suite's extension scenarios (client credentials with a secret or a private-key JWT,
// cross-app access) are machine-to-machine grants mcp-cli's `auth login` does not offer; for them
// this client uses the SDK's own providers.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Client,
  ClientCredentialsProvider,
  CrossAppAccessProvider,
  PrivateKeyJwtProvider,
  requestJwtAuthorizationGrant,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { CredentialStore, login, openInBrowser, storedLoginProvider } from "../../dist/index.js";

/** The client ID metadata document the suite's CIMD scenario expects. */
const CLIENT_METADATA_URL = "https://conformance-test.local/client-metadata.json";
const MAX_LOGINS = 3;

const serverUrl = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? "";
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}");

async function useServer(authProvider) {
  const client = new Client({ name: "mcp-cli-conformance", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider });
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    if (tools.some((tool) => tool.name === "test-tool")) {
      await client.callTool({ name: "test-tool", arguments: {} });
    }
  } finally {
    await client.close();
  }
}

async function asMcpCli() {
  const directory = mkdtempSync(join(tmpdir(), "mcp-cli-conformance-"));
  try {
    const store = new CredentialStore(directory);
    const settings =
      context.name === "auth/pre-registration"
        ? { clientId: context.client_id, clientSecret: context.client_secret }
        : { clientMetadataUrl: CLIENT_METADATA_URL };
    const server = "conformance";
    let logins = 0;
    for (;;) {
      try {
        const provider = await storedLoginProvider({ store, server, serverUrl, settings });
        await useServer(provider);
        return;
      } catch (error) {
        if (error?.code !== "AUTH_REQUIRED" || logins >= MAX_LOGINS) throw error;
        logins += 1;
        const scope = error.details?.scope;
        await login({
          store,
          server,
          serverUrl,
          settings,
          ...(typeof scope === "string" ? { scopes: [scope] } : {}),
          timeoutMs: 30_000,
          openAuthorizationUrl: async (url) => {
            if (!(await openInBrowser(url.href, process.env))) throw new Error("no browser could be started");
          },
        });
      }
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function withSdkProvider() {
  if (context.name === "auth/client-credentials-basic") {
    await useServer(
      new ClientCredentialsProvider({ clientId: context.client_id, clientSecret: context.client_secret }),
    );
    return;
  }
  if (context.name === "auth/client-credentials-jwt") {
    await useServer(
      new PrivateKeyJwtProvider({
        clientId: context.client_id,
        privateKey: context.private_key_pem,
        algorithm: context.signing_algorithm ?? "ES256",
      }),
    );
    return;
  }
  if (context.name === "auth/cross-app-access-complete-flow") {
    await useServer(
      new CrossAppAccessProvider({
        clientId: context.client_id,
        clientSecret: context.client_secret,
        assertion: async (request) => {
          const grant = await requestJwtAuthorizationGrant({
            tokenEndpoint: context.idp_token_endpoint,
            audience: request.authorizationServerUrl,
            resource: request.resourceUrl,
            idToken: context.idp_id_token,
            clientId: context.idp_client_id,
            ...(request.scope === undefined ? {} : { scope: request.scope }),
            fetchFn: request.fetchFn,
          });
          return grant.jwtAuthGrant;
        },
      }),
    );
    return;
  }
  throw new Error(`no machine-to-machine flow for ${context.name}`);
}

const machineToMachine = [
  "auth/client-credentials-basic",
  "auth/client-credentials-jwt",
  "auth/cross-app-access-complete-flow",
];
try {
  if (serverUrl === undefined || !/^https?:\/\//.test(serverUrl))
    throw new Error("usage: auth-client.mjs <server-url>");
  await (machineToMachine.includes(scenario) ? withSdkProvider() : asMcpCli());
  process.exitCode = 0;
} catch (error) {
  process.stderr.write(
    `auth-client (${scenario}): ${error?.code ?? error?.name ?? "Error"}: ${error?.message ?? error}\n`,
  );
  process.exitCode = 1;
}
