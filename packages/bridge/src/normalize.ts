/**
 * What guest code receives from a tool call (docs/conventions.md section 3): the structured content when
 * the server gave it; otherwise, when every block is text, the text parsed as JSON when it is JSON
 * (several text blocks give an array); a result with any other block (image, audio, resource link,
 * embedded resource) gives all the content blocks, so nothing the server sent is dropped.
 */
import type { ContentBlock } from "@mcp-execution/core";

/** Parses text that is a JSON document; returns the text itself otherwise. */
export function parseTextValue(text: string): unknown {
  const first = text.trimStart()[0];
  // Only documents that can be JSON are tried, so plain prose costs no exception.
  if (first === undefined || !'{["-0123456789tfn'.includes(first)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function resultValue(content: readonly ContentBlock[], structuredContent: unknown): unknown {
  if (structuredContent !== undefined) return structuredContent;
  const texts: string[] = [];
  for (const block of content) {
    // An image beside a caption must reach the guest too: mixed results stay whole.
    if (block.type !== "text" || typeof block.text !== "string") return content;
    texts.push(block.text);
  }
  if (texts.length === 1) return parseTextValue(texts[0] as string);
  if (texts.length > 1) return texts.map(parseTextValue);
  return content;
}

/** The first text of a result, for error messages; shortened. */
export function firstText(content: readonly ContentBlock[], max = 500): string | undefined {
  for (const block of content) {
    if (block.type === "text" && typeof block.text === "string") {
      return block.text.length > max ? `${block.text.slice(0, max)}...` : block.text;
    }
  }
  return undefined;
}
