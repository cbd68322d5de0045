/**
 * Whether a module says what its result is. A text check, not a parse: it runs only to decide on
 * a warning after a run that produced no result, where a false "yes" (the words in a comment)
 * costs nothing but the warning.
 */
const DEFAULT_EXPORT = /\bexport\s+default\b|\bas\s+default\b/;

export function hasDefaultExport(source: string): boolean {
  return DEFAULT_EXPORT.test(source);
}
