/**
 * An agent's script, as it would write it after reading SKILL.md: two tools called in parallel
 * (3 weather reports and 200 resource lookups), the large intermediate result filtered inside the
 * sandbox, and only a small answer returned to the model.
 *
 * Run: mcp-cli execute agent-report.ts --server everything     (API generated live)
 *      mcp-cli execute agent-report.ts --skill everything-demo (API from the saved skill)
 */
import { getResourceReference } from "./servers/everything/get-resource-reference.ts";
import { getStructuredContent } from "./servers/everything/get-structured-content.ts";

// A sandbox global (see docs/sandbox.md); declared for editors, provided by mcp-cli execute.
declare function writeFile(path: string, text: string): void;

const cities = ["New York", "Chicago", "Los Angeles"] as const;
const resourceIds = Array.from({ length: 200 }, (_, index) => index + 1);

// Both tools at once; each Promise.all fans out further. 203 tool calls, one round trip for the model.
const [weather, references] = await Promise.all([
  Promise.all(cities.map((location) => getStructuredContent({ location }))),
  Promise.all(resourceIds.map((resourceId) => getResourceReference({ resourceId }))),
]);

// Everything below works on data the model never sees.
const rawBytes = JSON.stringify({ weather, references }).length;

const reports = cities.map((city, index) => ({ city, ...weather[index] }));
const warmest = reports.reduce((best, report) => (report.temperature > best.temperature ? report : best));
const wet = reports
  .filter((report) => /rain|drizzle|storm/i.test(report.conditions))
  .map((report) => report.city);

// get-resource-reference answers with text blocks; keep the URIs of every 50th resource.
const uris = references
  .flat()
  .map((text) => /URI: (\S+)/.exec(String(text))?.[1])
  .filter((uri): uri is string => uri !== undefined && Number(uri.split("/").pop()) % 50 === 0);

// Intermediate data can be kept in the sandbox's workspace for a later step.
writeFile("/workspace/weather.json", JSON.stringify(reports, null, 2));
console.log(
  `${weather.length + references.length} tool calls, ${rawBytes} bytes of results kept in the sandbox`,
);

export default {
  warmest: { city: warmest.city, temperature: warmest.temperature },
  wet,
  everyFiftiethResource: uris,
  toolCalls: weather.length + references.length,
  rawBytes,
};
