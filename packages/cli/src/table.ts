/** Plain-text tables and key/value blocks for human output. Widths ignore ANSI colour codes. */

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes is the point
const ANSI_PATTERN = /\u001b\[[0-9;]*m/g;

export function visibleLength(text: string): number {
  return text.replace(ANSI_PATTERN, "").length;
}

function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - visibleLength(text)));
}

/** Rows of cells, columns separated by two spaces; the last column is not padded. */
export function formatTable(rows: readonly (readonly string[])[], indent = ""): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, visibleLength(cell));
    });
  }
  return rows
    .map((row) =>
      (
        indent +
        row.map((cell, index) => (index === row.length - 1 ? cell : pad(cell, widths[index] ?? 0))).join("  ")
      ).trimEnd(),
    )
    .join("\n");
}

/** `key:  value` lines with aligned values; entries whose value is undefined are left out. */
export function formatFields(
  fields: readonly (readonly [string, string | undefined])[],
  indent = "",
): string {
  const present = fields.filter((field): field is readonly [string, string] => field[1] !== undefined);
  const width = Math.max(0, ...present.map(([key]) => key.length + 1));
  return present.map(([key, value]) => `${indent}${pad(`${key}:`, width)}  ${value}`).join("\n");
}

/** The first line of a description, shortened to `max` characters. */
export function oneLine(text: string | undefined, max = 100): string {
  const line = (text ?? "").trim().split(/\r?\n/)[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
