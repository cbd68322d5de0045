/**
 * Answering a server's request for input (MCP elicitation, form mode) on the terminal: the
 * server's message, then one question per field of its flat schema. An empty answer to a required
 * field declines. Everything the server wrote is shown with control characters escaped.
 */
import type { ElicitationAnswer, ElicitationHandler, ElicitationRequest } from "@mcp-execution/mcp-client";
import { escapeControlCharacters, type Output } from "./output.js";

/** Reads one line from the person at the terminal; `undefined` at end of input. */
export type AskLine = (question: string) => Promise<string | undefined>;

/** Fields asked at most: a schema is server data, and a person's patience is finite. */
const MAX_FIELDS = 20;

interface FieldSchema {
  readonly type?: unknown;
  readonly title?: unknown;
  readonly description?: unknown;
  readonly enum?: unknown;
  readonly items?: { readonly enum?: unknown };
}

type FieldValue = string | number | boolean | string[];

function shown(value: unknown, max = 300): string {
  const text = typeof value === "string" ? value : "";
  return escapeControlCharacters(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** The typed value of an answer, or a reason it is not one. */
function coerce(answer: string, field: FieldSchema): FieldValue | { problem: string } {
  const choices = Array.isArray(field.enum) ? field.enum.map(String) : undefined;
  switch (field.type) {
    case "number":
    case "integer": {
      const number = Number(answer);
      if (
        answer.trim() === "" ||
        !Number.isFinite(number) ||
        (field.type === "integer" && !Number.isInteger(number))
      )
        return { problem: `expected ${field.type === "integer" ? "an integer" : "a number"}` };
      return number;
    }
    case "boolean": {
      const word = answer.trim().toLowerCase();
      if (["y", "yes", "true"].includes(word)) return true;
      if (["n", "no", "false"].includes(word)) return false;
      return { problem: "expected yes or no" };
    }
    case "array": {
      const values = answer
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part !== "");
      const allowed = Array.isArray(field.items?.enum) ? field.items.enum.map(String) : undefined;
      const wrong = allowed === undefined ? [] : values.filter((value) => !allowed.includes(value));
      return wrong.length > 0 ? { problem: `not among the choices: ${wrong.join(", ")}` } : values;
    }
    default:
      if (choices !== undefined && !choices.includes(answer))
        return { problem: `choose one of ${choices.join(", ")}` };
      return answer;
  }
}

/** An {@link ElicitationHandler} that asks on the terminal through `ask`. */
export function terminalElicitation(ask: AskLine, output: Output): ElicitationHandler {
  return async (request: ElicitationRequest): Promise<ElicitationAnswer> => {
    output.stderr(`server "${request.server}" asks: ${shown(request.message, 2_000)}`);
    const schema = request.requestedSchema as { properties?: unknown; required?: unknown };
    const properties =
      typeof schema.properties === "object" && schema.properties !== null
        ? Object.entries(schema.properties as Record<string, FieldSchema>).slice(0, MAX_FIELDS)
        : [];
    const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
    const content: Record<string, FieldValue> = {};
    for (const [name, field] of properties) {
      const label = shown(typeof field.title === "string" ? field.title : name, 100);
      const choices = Array.isArray(field.enum)
        ? ` [${field.enum.map((choice) => shown(String(choice), 50)).join("/")}]`
        : "";
      const hint = typeof field.description === "string" ? ` (${shown(field.description, 200)})` : "";
      const optional = required.includes(name) ? "" : " (optional)";
      for (;;) {
        const answer = await ask(`  ${label}${hint}${choices}${optional}: `);
        if (answer === undefined) return { action: "cancel" };
        if (answer === "") {
          if (required.includes(name)) return { action: "decline" };
          break;
        }
        const value = coerce(answer, field);
        if (typeof value === "object" && !Array.isArray(value)) {
          output.stderr(`  ${value.problem}`);
          continue;
        }
        content[name] = value;
        break;
      }
    }
    return { action: "accept", content };
  };
}
