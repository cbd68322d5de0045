export { browserCommands, openInBrowser } from "./auth/browser.js";
export { DEFAULT_LOGIN_TIMEOUT_MS, type LoginOptions, login, translateAuthError } from "./auth/login.js";
export { type LogoutOptions, type LogoutResult, logout } from "./auth/logout.js";
export {
  type AuthorizationCallback,
  CALLBACK_PATH,
  type LoopbackReceiver,
  parseRedirect,
  startLoopbackReceiver,
} from "./auth/loopback.js";
export {
  type OAuthInteraction,
  REFRESH_BEFORE_EXPIRY_MS,
  StoredOAuthProvider,
  type StoredOAuthProviderOptions,
  shellQuote,
} from "./auth/provider.js";
export { type RevocationOutcome, type RevokeOptions, revokeLogin } from "./auth/revoke.js";
export { type StoredLoginOptions, storedLoginProvider } from "./auth/session.js";
export {
  type AuthStatus,
  accountName,
  authStatusLine,
  describeDuration,
  describeRecord,
  describeStatus,
} from "./auth/status.js";
export {
  type CredentialRecord,
  CredentialStore,
  MAX_CREDENTIAL_FILE_BYTES,
  normalizeServerUrl,
  type StoredAccount,
  type StoredClient,
  type StoredTokenSet,
} from "./auth/token-store.js";
export { DEFAULT_MAX_RESPONSE_BYTES, MAX_ERROR_BODY_BYTES } from "./bounded-fetch.js";
export { connectServer } from "./connection/connect.js";
export {
  type ConnectedTransport,
  type ConnectOptions,
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_STARTUP_TIMEOUT_MS,
  DEFAULT_STDERR_TAIL_CHARS,
  type ElicitationAnswer,
  type ElicitationHandler,
  type ElicitationRequest,
  type ListKind,
  type Page,
  type ProgressUpdate,
  type PromptResult,
  type RawToolResult,
  type RequestOptions,
  type Root,
  type ServerConnection,
} from "./connection/contract.js";
export type { OAuthClientProvider } from "./connection/sdk.js";
export {
  type EnvironmentInheritance,
  type ServerEnvironmentInput,
  serverEnvironment,
} from "./environment.js";
export { computeFingerprint } from "./fingerprint.js";
export {
  DEFAULT_MAX_MANIFEST_EXPANSION_BYTES,
  type IntrospectOptions,
  introspect,
  listAll,
  listAllTools,
  MAX_PAGES,
} from "./introspect.js";
export { DEFAULT_LISTING_LIMITS, type ListingLimits } from "./listing-budget.js";
export { Redactor, redactorFor } from "./redact.js";
export {
  DEFAULT_MAX_EXPANDED_BYTES,
  DEFAULT_MAX_SCHEMA_DEPTH,
  DEFAULT_MAX_SCHEMA_NODES,
  type ExpansionBudget,
  type ResolveRefsOptions,
  resolveLocalRefs,
} from "./schema-refs.js";
