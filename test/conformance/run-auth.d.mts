export declare const CONFORMANCE_VERSION: string;
export interface ConformanceTools {
  readonly suite: string;
  readonly node: string;
}
export interface ScenarioResult {
  readonly scenario: string;
  readonly passed: boolean;
  readonly checks: { passed: number; total: number; warnings: number } | undefined;
  readonly output: string;
}
export declare function defaultToolsDirectory(env?: Record<string, string | undefined>): string;
export declare function findTools(
  tools: string,
  env?: Record<string, string | undefined>,
): ConformanceTools | undefined;
export declare function installTools(tools: string): void;
export declare function listAuthScenarios(tools: ConformanceTools): Promise<string[]>;
export declare function runScenario(tools: ConformanceTools, scenario: string): Promise<ScenarioResult>;
