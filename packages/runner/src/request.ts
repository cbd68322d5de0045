/**
 * What one execution needs, as values: the caller (the CLI today, `serve` and the daemon next)
 * resolves names, reads files and merges limits; the runner never sees a command line or a process.
 */
import type { Bridge, BridgeOptions } from "@mcp-execution/bridge";
import type {
  CodeExecutor,
  DiagnosticListener,
  GeneratedFile,
  LogEntry,
  ResolvedServerConfig,
  ResourceScope,
  SandboxLimits,
  SessionId,
} from "@mcp-execution/core";

/** An OAuth provider as the bridge takes it per server. */
export type RunAuthProvider =
  NonNullable<BridgeOptions["authProviders"]> extends ReadonlyMap<string, infer Provider> ? Provider : never;

/** TypeScript or JavaScript for the QuickJS sandbox. */
export interface ScriptSource {
  readonly kind: "script";
  readonly source: string;
  /** `module`: `export default` is the result; `snippet`: the body of an async function. */
  readonly mode: "module" | "snippet";
  /** Shown in error locations; its extension picks the language when `language` is absent. */
  readonly filename: string;
  readonly language?: "typescript" | "javascript";
}

/** A WebAssembly component (world `mcp:tools/guest`, see docs/components.md). */
export interface ComponentSource {
  readonly kind: "component";
  readonly bytes: Uint8Array;
  readonly filename: string;
  /** Where transpiled components are cached, one subdirectory per digest; created when missing. */
  readonly cacheDirectory: string;
}

export type ExecutionSource = ScriptSource | ComponentSource;

/** Saved skills whose trees are mounted under `/mcp-tools` and whose servers become callable. */
export interface SkillRequest {
  readonly names: readonly string[];
  /** The skills directory (the caller has already applied its scope rules). */
  readonly directory: string;
  /**
   * A skill whose server's tools changed since it was saved is refused with `FINGERPRINT_MISMATCH`
   * unless this is true; then it runs, with a warning diagnostic naming what changed.
   */
  readonly acceptToolChanges?: boolean;
}

/**
 * One step the caller may show while it runs (connecting to a server, checking a skill's tools).
 * Each `started` event is followed by exactly one `done` or `failed` with the same `id`.
 */
export interface ProgressEvent {
  readonly id: number;
  readonly label: string;
  readonly state: "started" | "done" | "failed";
}

export interface RunRequest {
  readonly source: ExecutionSource;
  readonly limits: SandboxLimits;
  /**
   * Servers whose API is generated live under `/mcp-tools` (for scripts) and that the guest may
   * call, with `${VAR}` references already expanded. Order is kept; duplicates by name are ignored.
   */
  readonly servers?: readonly ResolvedServerConfig[];
  /**
   * With true, a server of `servers` that cannot be introspected is left out of the tree with a
   * warning instead of failing the run (the CLI's `--all-servers`).
   */
  readonly skipUnreachableServers?: boolean;
  readonly skills?: SkillRequest;
  /**
   * Finds the configuration of a server a skill calls that is not among `servers`. Returns it
   * expanded, or throws the caller's coded error (`SERVER_UNKNOWN`, `CONFIG_VARIABLE_MISSING`).
   */
  readonly resolveSkillServer?: (server: string, skill: string) => ResolvedServerConfig;
  /**
   * A sentence added to the guest's `SERVER_UNKNOWN` error for a server that exists but was not
   * made callable, saying how to make it callable; undefined when the caller knows no such server.
   */
  readonly unavailableServerHint?: (server: string) => string | undefined;
  /** `getState`/`setState` for scripts, persisted as files under `directory`. */
  /**
   * `getState`/`setState` across runs. `reset`: a state file that cannot be loaded is discarded
   * with a warning instead of failing the run (the CLI's `--reset-session`).
   */
  readonly session?: { readonly id: SessionId; readonly directory: string; readonly reset?: boolean };
  /** For servers the runner connects to itself: the environment stdio servers inherit, and their cwd. */
  readonly connect?: {
    readonly environment: Readonly<Record<string, string | undefined>>;
    readonly cwd: string;
  };
  /** OAuth providers by server name, for the bridge the runner opens (see BridgeOptions). */
  readonly authProviders?: BridgeOptions["authProviders"];
  /**
   * The OAuth provider of a server not in `authProviders` (a server only a skill brings in), asked
   * once per server when the runner opens its bridge; undefined for none. A skill's server gets the
   * stored login exactly as a server given by name does.
   */
  readonly authProviderFor?: (server: ResolvedServerConfig) => Promise<RunAuthProvider | undefined>;
  /**
   * A caller-owned, open bridge (connections shared across executions). It must serve every server
   * the run needs; the runner takes a scope of it per run and never closes it.
   */
  readonly bridge?: Bridge;
  /**
   * A caller-owned executor for scripts (warm sandbox workers); the runner never closes it. Without
   * it the runner starts a one-worker QuickJS executor and closes it after the run.
   */
  readonly executor?: CodeExecutor;
  /**
   * Takes ownership of what the runner opens (its bridge, executor, volumes). Without it the runner
   * closes them before it returns; with it the caller can report first and close within its own
   * time bound (the CLI closes after printing).
   */
  readonly resources?: ResourceScope;
  /** Aborting cancels connecting, introspecting and the guest (`CANCELLED`). */
  readonly signal?: AbortSignal;
  /** Warnings (`warn`) and detail (`info`, `debug`) from the runner and the engines it drives. */
  readonly onDiagnostic?: DiagnosticListener;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Each guest log line as it is written, when the executor streams them (the outcome has them all). */
  readonly onLog?: (entry: LogEntry) => void;
  /**
   * Called for a script with the assembled `/mcp-tools` tree, after the servers are introspected and
   * before the guest starts (no tool has been called yet); a rejection fails the run with that
   * error. The CLI's `execute --check` type-checks here.
   */
  readonly beforeScript?: (source: ScriptSource, tree: readonly GeneratedFile[]) => Promise<void>;
}
