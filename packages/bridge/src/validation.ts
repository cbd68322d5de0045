/**
 * Argument (and structured result) validation against a tool's JSON Schema, with messages that
 * name the argument path (`items[0].quantity must be integer`).
 *
 * Dialect: schemas that declare draft-04/06/07, or use draft-07 tuple `items: [...]`, are checked
 * as draft-07; everything else (2019-09, 2020-12, and schemas without `$schema`, the MCP default)
 * as 2020-12. Unknown keywords are ignored (`strict: false`), formats are checked (ajv-formats).
 * A schema ajv cannot compile is reported once to diagnostics and not enforced: the server still
 * validates, and a broken schema must not make a working tool uncallable.
 */
import { type JsonSchema, McpCliError } from "@mcp-execution/core";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import formatsModule from "ajv-formats";

type AjvInstance = Ajv | Ajv2020;

let draft07: Ajv | undefined;
let draft2020: Ajv2020 | undefined;

const addFormats = (formatsModule as unknown as { default: (ajv: AjvInstance) => void }).default;

function ajvFor(schema: JsonSchema): AjvInstance {
  const declared = typeof schema === "object" && typeof schema.$schema === "string" ? schema.$schema : "";
  const useDraft07 = /draft-0[4-7]/.test(declared) || (declared === "" && usesTupleItems(schema));
  if (useDraft07) {
    if (draft07 === undefined) {
      draft07 = new Ajv({ strict: false, allErrors: true, validateSchema: false });
      addFormats(draft07);
    }
    return draft07;
  }
  if (draft2020 === undefined) {
    draft2020 = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(draft2020);
  }
  return draft2020;
}

function usesTupleItems(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(usesTupleItems);
  if (typeof schema !== "object" || schema === null) return false;
  for (const [key, value] of Object.entries(schema)) {
    if (key === "items" && Array.isArray(value)) return true;
    if (typeof value === "object" && value !== null && usesTupleItems(value)) return true;
  }
  return false;
}

/** A compiled schema, or the reason it could not be compiled. */
export type CompiledSchema =
  | { readonly ok: true; readonly validate: ValidateFunction }
  | { readonly ok: false; readonly reason: string };

export function compileSchema(schema: JsonSchema): CompiledSchema {
  try {
    // `$schema` is dropped: the dialect is chosen above, and ajv would otherwise demand the
    // meta-schema of every draft a server may name.
    const body =
      typeof schema === "object" && "$schema" in schema
        ? Object.fromEntries(Object.entries(schema).filter(([key]) => key !== "$schema"))
        : schema;
    return { ok: true, validate: ajvFor(schema).compile(body) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** One problem with a value, located by a readable path such as `items[0].sku`. */
export interface ValidationProblem {
  readonly path: string;
  readonly message: string;
  readonly keyword: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `/items/0/sku` → `items[0].sku`; the root is an empty string. */
export function readablePath(pointer: string, child?: string): string {
  const segments =
    pointer === ""
      ? []
      : pointer
          .slice(1)
          .split("/")
          .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (child !== undefined) segments.push(child);
  let path = "";
  for (const segment of segments) {
    if (/^(0|[1-9][0-9]*)$/.test(segment)) path += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) path += path === "" ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

function problemOf(error: ErrorObject): ValidationProblem {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required": {
      const path = readablePath(error.instancePath, String(params.missingProperty));
      return { path, message: `${path} is required`, keyword: error.keyword };
    }
    case "additionalProperties": {
      const path = readablePath(error.instancePath, String(params.additionalProperty));
      return { path, message: `${path} is not an accepted argument here`, keyword: error.keyword };
    }
    case "enum": {
      const path = readablePath(error.instancePath);
      const allowed = (params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ");
      return {
        path,
        message: `${path || "the arguments"} must be one of ${allowed}`,
        keyword: error.keyword,
      };
    }
    default: {
      const path = readablePath(error.instancePath);
      return {
        path,
        message: `${path || "the arguments"} ${error.message ?? "are invalid"}`,
        keyword: error.keyword,
      };
    }
  }
}

/** Problems with `value`, deduplicated, in ajv's order; empty when valid. */
export function validationProblems(validate: ValidateFunction, value: unknown): ValidationProblem[] {
  if (validate(value)) return [];
  const seen = new Set<string>();
  const problems: ValidationProblem[] = [];
  for (const error of validate.errors ?? []) {
    const problem = problemOf(error);
    if (seen.has(problem.message)) continue;
    seen.add(problem.message);
    problems.push(problem);
  }
  return problems;
}

/** The shown part of a list of problems in a message. */
const PROBLEMS_IN_MESSAGE = 8;

export function invalidArgumentsError(
  server: string,
  tool: string,
  problems: readonly ValidationProblem[],
): McpCliError {
  const shown = problems.slice(0, PROBLEMS_IN_MESSAGE).map((problem) => problem.message);
  const more =
    problems.length > PROBLEMS_IN_MESSAGE ? `; and ${problems.length - PROBLEMS_IN_MESSAGE} more` : "";
  return new McpCliError(
    "ARGS_INVALID",
    `invalid arguments for ${server}/${tool}: ${shown.join("; ")}${more}`,
    {
      details: { server, tool, errors: problems },
    },
  );
}

export function invalidResultError(
  server: string,
  tool: string,
  problems: readonly ValidationProblem[],
): McpCliError {
  const shown = problems
    .slice(0, PROBLEMS_IN_MESSAGE)
    .map((problem) => problem.message.replace(/^the arguments/, "the result"));
  return new McpCliError(
    "RESULT_INVALID",
    `${server}/${tool} returned structured content that does not match its output schema: ${shown.join("; ")}`,
    { details: { server, tool, errors: problems } },
  );
}
