/**
 * The guest half of the sandbox API: real JavaScript in `packages/wasm-runtime/guest/*.js`
 * (`// @ts-check` against `guest/host-api.d.ts`, linted like the rest), embedded as strings into
 * `guest-prelude.generated.ts` by `scripts/embed-guest.mjs` at build time, and evaluated in every
 * fresh QuickJS context before the guest's code. It receives the raw host functions in one object, keeps them in its
 * closure (guest code can never call them directly) and defines the globals of docs/conventions.md
 * section 3 on top of them.
 *
 * QuickJS compiles slowly (16 KB of functions take 2-8 ms here), and every execution gets a fresh
 * context, so only a small core is compiled up front: the globals are stubs, and each piece of the
 * API (console formatting, tools, timers, files, strict JSON, error description) is compiled the
 * first time a run uses it. A run that only returns a value compiles nothing else.
 *
 * Nothing here is a security boundary: the guest owns its context and may break these functions
 * for itself. The host re-checks everything that crosses (lengths before copying strings, JSON
 * parsed on the host, depth of results). The built-ins the prelude relies on are captured by the
 * core before guest code runs, so a guest that patches `JSON` or `Array.prototype` still gets
 * correct results and errors.
 *
 * Raw host functions (arguments are strings or numbers, answers strings). Strings with content
 * (text, paths, keys, names) cross as JSON text: QuickJS hands strings to the host as C strings,
 * which would end at the first NUL character.
 * - `log(level, textJson)`; throws once the output cap is reached.
 * - `callTool(id, callJson, kind)` with `callJson` = `[server, tool, args]` (kind "tool") or
 *   `[server, uri, {}]` (kind "resource") → `""` (accepted; the answer comes later through
 *   `settle`) or an error envelope; throws once the tool-call cap is reached.
 * - `fs(op, pathJson, textJson)` and `state(op, keyJson, valueJson)` → envelope.
 * - `timer(op, id, delay)`; throws `RangeError` when too many timers are pending.
 * - `load(name, primordials)` → the exports of piece `name`, compiled on first use.
 *
 * The core returns `{ settle, fireTimer, finish, describe, coded }` for the host; `settle(batchJson)`
 * takes `[[callId, envelope], ...]` for all the answers that arrived together; `coded(code, message)`
 * makes an error marked as the host's (refused imports).
 */
export const PRELUDE_FILENAME = "<sandbox>";

export { PRELUDE_CORE, PRELUDE_PIECES } from "./guest-prelude.generated.js";
