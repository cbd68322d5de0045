export {
  type GenerateOptions,
  generateServerFiles,
  generateTree,
  SKILL_INSTRUCTIONS_LENGTH,
  SKILL_NAMES_LIMIT,
  SKILL_SUMMARY_LIMIT,
} from "./generate.js";
export { type RootOptions, SchemaConverter, type TypeDeclaration } from "./schema-to-typescript.js";
export {
  SKILL_DESCRIPTION_MAX_LENGTH,
  type SkillIdentity,
  type SkillIdentityOptions,
  skillIdentity,
} from "./skill-identity.js";
export {
  countTokens,
  type MeasureOptions,
  measureTokens,
  type TokenCost,
  type TokenReport,
} from "./token-report.js";
export { naturalFileStem, naturalFunctionName, planToolNames, type ToolNames } from "./tool-naming.js";
export { GENERATOR_VERSION } from "./version.js";
