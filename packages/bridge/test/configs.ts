/**
 * Server configuration entries for tests: the introspector's helpers, shared rather than copied
 * (the bridge depends on the introspector, and both test against the same fixture servers).
 */
export {
  type Extra,
  everythingStdio,
  fixtureConfig,
  remoteConfig,
  stdioConfig,
} from "../../introspector/test/configs.js";
