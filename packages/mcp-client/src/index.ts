export {
  type ConnectedTransport,
  type ConnectOptions,
  connectServer,
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_STARTUP_TIMEOUT_MS,
  DEFAULT_STDERR_TAIL_CHARS,
  type ElicitationAnswer,
  type ElicitationHandler,
  type ElicitationRequest,
  type ListKind,
  type OAuthClientProvider,
  type Page,
  type ProgressUpdate,
  type PromptResult,
  type RawToolResult,
  type RequestOptions,
  type Root,
  type ServerConnection,
} from "./connection/index.js";
export {
  type EnvironmentInheritance,
  type ServerEnvironmentInput,
  serverEnvironment,
} from "./environment.js";
export { computeFingerprint } from "./fingerprint.js";
export { type IntrospectOptions, introspect, listAll, listAllTools, MAX_PAGES } from "./introspect.js";
export { DEFAULT_MAX_SCHEMA_NODES, type ResolveRefsOptions, resolveLocalRefs } from "./schema-refs.js";
