export {
  MCP_TOOLS_ROOT,
  type NormalizeOptions,
  normalizeVfsPath,
  type PathRule,
  VFS_AREAS,
  VFS_PATH_LIMITS,
  type VfsArea,
  type VfsPath,
  WORKSPACE_ROOT,
} from "./path.js";
export {
  decodeSnapshotFile,
  parseVfsSnapshot,
  VFS_SNAPSHOT_FORMAT,
  VFS_SNAPSHOT_VERSION,
  type VfsSnapshot,
  type VfsSnapshotDirectory,
  type VfsSnapshotEntry,
  type VfsSnapshotFile,
} from "./snapshot.js";
export {
  DEFAULT_WORKSPACE_MAX_ENTRIES,
  DEFAULT_WORKSPACE_QUOTA_BYTES,
  type SnapshotOptions,
  type VfsEntryKind,
  type VfsStat,
  type VfsUsage,
  VirtualFileSystem,
  type VirtualFileSystemOptions,
} from "./virtual-file-system.js";
