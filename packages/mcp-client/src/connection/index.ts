export { connectServer } from "./connect.js";
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
} from "./contract.js";
export type { OAuthClientProvider } from "./sdk.js";
