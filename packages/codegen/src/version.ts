/**
 * The generator's version, recorded in saved skills (`SkillMetadata.generatorVersion`) so a
 * skill made by an older generator can be told apart. Kept equal to package.json by a test.
 */
export const GENERATOR_VERSION = "0.1.0";
