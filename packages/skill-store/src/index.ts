export {
  CHECKSUM_HEADER,
  formatChecksumFile,
  type ParsedChecksumFile,
  parseChecksumFile,
} from "./checksum-file.js";
export {
  compareFingerprints,
  FileSkillStore,
  type FileSkillStoreOptions,
  type FingerprintCheck,
  type LoadedSkillWithVfs,
  type LoadOptions,
  type RemoveOptions,
  type SaveOptions,
  type SkillVerificationReport,
  skillServers,
} from "./file-skill-store.js";
export {
  CHECKSUM_FILE,
  METADATA_FORMAT,
  METADATA_FORMAT_VERSION,
  METADATA_JSON,
  REFERENCE_MD,
  SERVERS_DIRECTORY,
  SKILL_MD,
  VFS_JSON,
} from "./layout.js";
export {
  MAX_TREE_MANIFEST_BYTES,
  MAX_TREE_SERVERS,
  readTreeManifests,
  type TreeManifests,
  type WriteGeneratedTreeOptions,
  writeGeneratedTree,
} from "./output-tree.js";
export { checkSkillMarkdown, renderSkillMarkdown, SKILL_DESCRIPTION_MAX_LENGTH } from "./skill-md.js";
