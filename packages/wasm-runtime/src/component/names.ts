/**
 * Names of the WIT contract (wit/mcp-tools.wit at the repository root). A module without
 * dependencies, because the Worker imports it and every module the Worker loads adds to the
 * start-up of each execution.
 */

/** The WIT package, its version, and the world a guest targets. */
export const WIT_PACKAGE = "mcp:tools";
export const WIT_VERSION = "0.1.0";
export const WIT_WORLD = `${WIT_PACKAGE}/guest@${WIT_VERSION}`;
/** The host interface, unversioned, as jco's bindings look it up in the import object. */
export const HOST_INTERFACE = `${WIT_PACKAGE}/host`;

/** The cases of `log-level`, in WIT order. */
export const LOG_LEVELS = ["log", "info", "warn", "error", "debug"] as const;
