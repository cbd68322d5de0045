export { canonicalJson } from "./canonical-json.js";
export {
  AD_HOC_SOURCE,
  type AdHocServerSpec,
  adHocServerConfig,
  deriveServerName,
  isUrlTarget,
} from "./config/ad-hoc.js";
export {
  type ConfigCandidate,
  type ConfigEnvironment,
  type ConfigFileKind,
  configCandidates,
} from "./config/discovery.js";
export { type ExpansionContext, expandServerConfig, expandString } from "./config/expand.js";
export { findServer, type LoadConfigOptions, type LoadedConfig, loadConfig } from "./config/load.js";
export { MASK, maskServerConfig, maskUrl, maskValue } from "./config/mask.js";
export {
  type ParseConfigOptions,
  type ParsedConfigFile,
  parseConfigFile,
  parseJsonDocument,
  type SandboxSettings,
} from "./config/parse.js";
export {
  isStdioServerConfig,
  type OAuthSettings,
  type RemoteServerConfig,
  type RemoteTransport,
  type ResolvedServerConfig,
  type ServerConfig,
  type StdioServerConfig,
} from "./config/types.js";
export {
  ERROR_CODES,
  type ErrorCode,
  type ErrorDetails,
  type ErrorDocument,
  EXIT,
  type ExitCode,
  exitCodeFor,
  isErrorCode,
  isMcpCliError,
  McpCliError,
  type McpCliErrorOptions,
  toErrorDocument,
  toMcpCliError,
} from "./errors.js";
export { type Blake3Hasher, blake3Hex, createBlake3Hasher, digestsEqual } from "./hash.js";
export {
  isServerId,
  isSkillId,
  type NameKind,
  SERVER_ID_MAX_LENGTH,
  SESSION_ID_MAX_LENGTH,
  type ServerId,
  type SessionId,
  SKILL_ID_MAX_LENGTH,
  type SkillId,
  serverId,
  sessionId,
  skillId,
  suggestSkillId,
  TOOL_NAME_MAX_LENGTH,
  type ToolName,
  toolName,
} from "./ids.js";
export type {
  CacheProvider,
  CodeExecutor,
  ContentBlock,
  Diagnostic,
  DiagnosticListener,
  ExecutionOutcome,
  ExecutionRequest,
  ExecutionStats,
  GeneratedFile,
  GuestFileSystem,
  JsonValue,
  LoadedSkill,
  LogEntry,
  LogLevel,
  SaveSkillInput,
  SkillMetadata,
  SkillStore,
  SkillSummary,
  SkillVerification,
  StateStore,
  ToolBridge,
  ToolCallOptions,
  ToolCallResult,
} from "./interfaces.js";
export { disposedError, ResourceScope } from "./lifetime.js";
export {
  DEFAULT_LIMIT_PROFILE,
  isLimitProfileName,
  LIMIT_PROFILES,
  type LimitProfileName,
  resolveLimits,
  type SandboxLimits,
} from "./limits.js";
export {
  diffFingerprints,
  type FingerprintDiff,
  isFingerprintDiffEmpty,
  type JsonSchema,
  type PromptArgumentDescriptor,
  type PromptDescriptor,
  type ResourceDescriptor,
  type ResourceTemplateDescriptor,
  type ServerCapabilities,
  type ServerInfo,
  type ServerManifest,
  type ToolAnnotations,
  type ToolDescriptor,
  type ToolFingerprint,
} from "./manifest.js";
