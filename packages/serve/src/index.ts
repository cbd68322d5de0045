export { AdmissionControl, type AdmissionOptions, type Release } from "./admission.js";
export { AuditLog, type AuditLogOptions, type AuditRecord } from "./audit.js";
export { type CatalogHit, ToolCatalog } from "./catalog.js";
export {
  type CodeModeExecution,
  type CodeModeServerOptions,
  type CodeModeState,
  createCodeModeServer,
  TREE_URI_PREFIX,
} from "./code-mode-server.js";
export { type HttpServe, type HttpServeOptions, isLoopback, startHttpServe } from "./http.js";
export { ServeMetrics } from "./metrics.js";
export { type ReusableFiles, SpareFiles, type SpareFilesOptions } from "./spare-files.js";
export { type StdioServe, type StdioServeOptions, startStdioServe } from "./stdio.js";
