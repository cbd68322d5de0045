/**
 * The guest half of the sandbox API, as JavaScript source evaluated in every fresh QuickJS context
 * before the guest's code. It receives the raw host functions in one object, keeps them in its
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
 * - `callTool(id, callJson)` with `callJson` = `[server, tool, args]` → `""` (accepted; the answer
 *   comes later through `settle`) or an error envelope; throws once the tool-call cap is reached.
 * - `fs(op, pathJson, textJson)` and `state(op, keyJson, valueJson)` → envelope.
 * - `timer(op, id, delay)`; throws `RangeError` when too many timers are pending.
 * - `load(name, primordials)` → the exports of piece `name`, compiled on first use.
 *
 * The core returns `{ settle, fireTimer, finish, describe }` for the host; `settle(batchJson)` takes
 * `[[callId, envelope], ...]` for all the answers that arrived together.
 */
export const PRELUDE_FILENAME = "<sandbox>";

export const PRELUDE_CORE = `(function (host) {
  "use strict";
  const G = globalThis;
  const apply = Reflect.apply;
  const defineProperty = Object.defineProperty;
  const stringify = JSON.stringify;
  const toStr = Object.prototype.toString;
  const then = Promise.prototype.then;
  const PromiseCtor = Promise;
  const resolve = Promise.resolve;
  const pieces = Object.create(null);
  // The built-ins the pieces use, captured before guest code can replace them.
  const P = {
    host, apply, stringify, toStr,
    parse: JSON.parse, keys: Object.keys, isArray: Array.isArray, isFinite: Number.isFinite, trunc: Math.trunc,
    test: RegExp.prototype.test, join: Array.prototype.join, replace: String.prototype.replace,
    slice: String.prototype.slice, symbolToString: Symbol.prototype.toString,
    dateToISOString: Date.prototype.toISOString, regexpToString: RegExp.prototype.toString,
    String, Number, Error, TypeError, Promise, Map,
    mapGet: Map.prototype.get, mapSet: Map.prototype.set, mapDelete: Map.prototype.delete, mapHas: Map.prototype.has,
  };
  const piece = (P.piece = (name) => pieces[name] || (pieces[name] = host.load(name, P)));

  // JSON text, or undefined when JSON.stringify would drop or refuse something (the "json" piece
  // then says exactly what and where).
  const REFUSED = { "[object Promise]": 1, "[object Map]": 1, "[object Set]": 1, "[object WeakMap]": 1, "[object WeakSet]": 1 };
  const replacer = (key, value) => {
    const type = typeof value;
    if (type === "function" || type === "symbol" || type === "bigint") throw REFUSED;
    if (type === "object" && value !== null && REFUSED[apply(toStr, value, [])] === 1) throw REFUSED;
    return value;
  };
  P.fastJson = (value) => { try { return stringify(value, replacer); } catch { return undefined; } };

  // The globals are stubs; the piece behind each is compiled on first call.
  const consoleObject = {};
  const names = ["console.log", "console.info", "console.warn", "console.error", "console.debug", "tools.callTool",
    "files.readFile", "files.writeFile", "files.listFiles", "files.getState", "files.setState",
    "timers.setTimeout", "timers.clearTimeout"];
  for (let i = 0; i < names.length; i++) {
    const dot = names[i].indexOf(".");
    const pieceName = names[i].slice(0, dot);
    const name = names[i].slice(dot + 1);
    const stub = { [name](...args) { return apply(piece(pieceName)[name], this, args); } }[name];
    if (pieceName === "console") consoleObject[name] = stub;
    else defineProperty(G, name, { value: stub, writable: true, configurable: true });
  }
  defineProperty(G, "console", { value: consoleObject, writable: true, configurable: true });

  // finish resolves to "R" + the result's JSON, or "F" + {code, message} when the result cannot be
  // serialized; it rejects with whatever the guest threw. The snippet wrapper exports its awaited
  // return value; a module's default export is awaited here.
  return {
    finish: (evaluation, isNamespace, budget) => {
      const settled = isNamespace
        ? apply(then, apply(resolve, PromiseCtor, []), [() => evaluation.default])
        : apply(then, evaluation, [(namespace) => namespace.default]);
      return apply(then, settled, [(value) => {
        if (value === undefined) return "Rnull";
        const json = P.fastJson(value);
        return json === undefined ? piece("json").explain(value, budget) : "R" + json;
      }]);
    },
    settle: (batch) => piece("tools").settle(batch),
    fireTimer: (id) => piece("timers").fireTimer(id),
    describe: (thrown) => piece("errors").describe(thrown),
  };
})`;

/** The lazily compiled pieces; each is `(function (P) { ...; return exports; })`. */
export const PRELUDE_PIECES: Readonly<Record<string, string>> = {
  // Helpers of the other pieces: strict JSON out, coded errors in.
  common: `(function (P) {
  "use strict";
  const { parse, String: StringCtor, Error: ErrorCtor } = P;
  const strictJson = (value, what, code) => {
    const json = P.fastJson(value);
    return json !== undefined ? json : P.piece("json").strict(value, what, code);
  };
  const toError = (error, call) => {
    const result = new ErrorCtor(StringCtor(error.message));
    result.code = error.code;
    if (call) { result.server = call.server; result.tool = call.tool; }
    if (error.details !== undefined) result.details = error.details;
    return result;
  };
  const unwrap = (envelope) => {
    const answer = parse(envelope);
    if (answer.ok) return answer.value;
    throw toError(answer.error);
  };
  return { strictJson, toError, unwrap };
})`,

  // Strict JSON with the path of what JSON cannot hold. undefined at the top: null; undefined
  // inside: as JSON (dropped from objects, null in arrays). Functions, symbols, BigInts,
  // Promises, Maps, Sets, cycles and nesting deeper than 1000 levels: an error naming the path.
  json: `(function (P) {
  "use strict";
  const { apply, stringify, toStr: objectToString, keys: ObjectKeys, isArray, isFinite, test, join } = P;
  const { String: StringCtor, Error: ErrorCtor } = P;
  const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
  const MAX_DEPTH = 1000;
  class SerializeFailure {
    constructor(code, message) { this.code = code; this.message = message; }
  }
  const UNSUPPORTED = {
    "[object Promise]": "is a Promise; did you forget await?",
    "[object Map]": "is a Map, which JSON cannot hold; convert it with Object.fromEntries()",
    "[object Set]": "is a Set, which JSON cannot hold; convert it with Array.from()",
    "[object WeakMap]": "is a WeakMap, which JSON cannot hold",
    "[object WeakSet]": "is a WeakSet, which JSON cannot hold",
  };
  const propertyPath = (path, key) =>
    typeof key === "number" ? path + "[" + key + "]"
      : apply(test, IDENTIFIER, [key]) ? path + "." + key : path + "[" + stringify(key) + "]";

  function toJson(value, what, budget, failCode) {
    const parts = [];
    let size = 0;
    const seen = [];
    const out = (text) => {
      size += text.length;
      if (size > budget) throw new SerializeFailure("LIMIT_OUTPUT", what + " is larger than the output limit allows");
      parts[parts.length] = text;
    };
    const fail = (path, problem) => { throw new SerializeFailure(failCode, path + " " + problem); };
    const walk = (value, path, key, depth) => {
      if (value !== null && typeof value === "object") {
        let toJSON;
        try { toJSON = value.toJSON; } catch { toJSON = undefined; }
        if (typeof toJSON === "function") value = apply(toJSON, value, [StringCtor(key)]);
      }
      switch (typeof value) {
        case "string": out(stringify(value)); return;
        case "number": out(isFinite(value) ? stringify(value) : "null"); return;
        case "boolean": out(value ? "true" : "false"); return;
        case "undefined": out("null"); return;
        case "bigint": fail(path, "is a BigInt, which JSON cannot hold; convert it with String() or Number()"); return;
        case "symbol": fail(path, "is a symbol, which JSON cannot hold"); return;
        case "function": fail(path, "is a function, which JSON cannot hold"); return;
      }
      if (value === null) { out("null"); return; }
      if (depth >= MAX_DEPTH) fail(path, "is nested more than " + MAX_DEPTH + " levels deep");
      for (let i = 0; i < seen.length; i++) {
        if (seen[i] === value) fail(path, "is a circular reference (it contains itself)");
      }
      const problem = UNSUPPORTED[apply(objectToString, value, [])];
      if (typeof problem === "string") fail(path, problem);
      seen[seen.length] = value;
      if (isArray(value)) {
        out("[");
        const length = value.length;
        for (let i = 0; i < length; i++) {
          if (i > 0) out(",");
          walk(value[i], propertyPath(path, i), i, depth + 1);
        }
        out("]");
      } else {
        out("{");
        const keys = ObjectKeys(value);
        let first = true;
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i];
          const item = value[key];
          if (item === undefined) continue;
          if (!first) out(",");
          first = false;
          out(stringify(key) + ":");
          walk(item, propertyPath(path, key), key, depth + 1);
        }
        out("}");
      }
      seen.length = seen.length - 1;
    };
    walk(value, what, "", 0);
    return apply(join, parts, [""]);
  }

  function strict(value, what, code) {
    try {
      return toJson(value, what, 1 / 0, code);
    } catch (failure) {
      if (failure instanceof SerializeFailure) {
        const error = new ErrorCtor(failure.message);
        error.code = failure.code;
        throw error;
      }
      throw failure;
    }
  }

  function explain(value, budget) {
    try {
      return "R" + toJson(value, "result", budget, "RESULT_UNSERIALIZABLE");
    } catch (failure) {
      if (failure instanceof SerializeFailure) return "F" + stringify({ code: failure.code, message: failure.message });
      throw failure;
    }
  }

  return { strict, explain, toJson };
})`,

  // console: arguments formatted roughly like Node's util.format.
  console: String.raw`(function (P) {
  "use strict";
  const { apply, stringify, host, toStr: objectToString, keys: ObjectKeys, isArray, trunc, test, join, replace } = P;
  const { symbolToString, dateToISOString, regexpToString, String: StringCtor, Number: NumberCtor, Error: ErrorCtor } = P;
  const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
  const FORMAT = /%[sdifjoOc%]/g;
  const errorStack = (error) => {
    try { return typeof error.stack === "string" ? error.stack : ""; } catch { return ""; }
  };

  function inspect(value, depth, seen) {
    switch (typeof value) {
      case "string": return depth === 0 ? value : stringify(value);
      case "number": return value === 0 && 1 / value < 0 ? "-0" : StringCtor(value);
      case "boolean": case "undefined": return StringCtor(value);
      case "bigint": return StringCtor(value) + "n";
      case "symbol": return apply(symbolToString, value, []);
      case "function": {
        let name = "";
        try { name = typeof value.name === "string" ? value.name : ""; } catch {}
        return name ? "[Function: " + name + "]" : "[Function (anonymous)]";
      }
    }
    if (value === null) return "null";
    for (let i = 0; i < seen.length; i++) if (seen[i] === value) return "[Circular]";
    const tag = apply(objectToString, value, []);
    if (value instanceof ErrorCtor || tag === "[object Error]") {
      const stack = errorStack(value);
      let head;
      try { head = StringCtor(value.name) + ": " + StringCtor(value.message); } catch { head = "Error"; }
      return stack ? head + "\n" + apply(replace, stack, [/\n$/, ""]) : head;
    }
    if (tag === "[object Date]") { try { return apply(dateToISOString, value, []); } catch { return "Invalid Date"; } }
    if (tag === "[object RegExp]") return apply(regexpToString, value, []);
    if (tag === "[object Promise]") return "Promise {}";
    if (depth > 3) return isArray(value) ? "[Array]" : "[Object]";
    seen[seen.length] = value;
    try {
      const items = [];
      if (isArray(value)) {
        const shown = value.length > 100 ? 100 : value.length;
        for (let i = 0; i < shown; i++) items[items.length] = inspect(value[i], depth + 1, seen);
        if (value.length > shown) items[items.length] = "... " + (value.length - shown) + " more items";
        return items.length === 0 ? "[]" : "[ " + apply(join, items, [", "]) + " ]";
      }
      if (tag === "[object Map]" || tag === "[object Set]") {
        let count = 0;
        for (const entry of value) {
          if (count++ >= 100) { items[items.length] = "..."; break; }
          items[items.length] = tag === "[object Map]"
            ? inspect(entry[0], depth + 1, seen) + " => " + inspect(entry[1], depth + 1, seen)
            : inspect(entry, depth + 1, seen);
        }
        const kind = tag === "[object Map]" ? "Map" : "Set";
        return kind + "(" + value.size + ") " + (items.length ? "{ " + apply(join, items, [", "]) + " }" : "{}");
      }
      const keys = ObjectKeys(value);
      const shown = keys.length > 100 ? 100 : keys.length;
      for (let i = 0; i < shown; i++) {
        const key = keys[i];
        let item;
        try { item = value[key]; } catch { item = "[Getter threw]"; }
        const label = apply(test, IDENTIFIER, [key]) ? key : stringify(key);
        items[items.length] = label + ": " + inspect(item, depth + 1, seen);
      }
      if (keys.length > shown) items[items.length] = "... " + (keys.length - shown) + " more properties";
      return items.length === 0 ? "{}" : "{ " + apply(join, items, [", "]) + " }";
    } finally {
      seen.length = seen.length - 1;
    }
  }

  function format(args) {
    let index = 0;
    let text = "";
    const first = args[0];
    if (typeof first === "string" && args.length > 1) {
      index = 1;
      text = apply(replace, first, [FORMAT, (token) => {
        if (token === "%%") return "%";
        if (index >= args.length) return token;
        const arg = args[index++];
        switch (token) {
          case "%s": return typeof arg === "string" ? arg : inspect(arg, 1, []);
          case "%d": case "%i": {
            if (typeof arg === "bigint") return StringCtor(arg) + "n";
            const n = NumberCtor(arg);
            return StringCtor(token === "%i" ? trunc(n) : n);
          }
          case "%f": return StringCtor(NumberCtor(arg));
          case "%j": try { return stringify(arg); } catch { return "[Circular]"; }
          case "%c": return "";
          default: return inspect(arg, 1, []);
        }
      }]);
    } else if (args.length > 0) {
      text = inspect(first, 0, []);
      index = 1;
    }
    for (; index < args.length; index++) text += " " + inspect(args[index], 0, []);
    return text;
  }

  return {
    inspect,
    log(...args) { host.log("log", stringify(format(args))); },
    info(...args) { host.log("info", stringify(format(args))); },
    warn(...args) { host.log("warn", stringify(format(args))); },
    error(...args) { host.log("error", stringify(format(args))); },
    debug(...args) { host.log("debug", stringify(format(args))); },
  };
})`,

  // callTool: a promise per call, settled by the host through settle(batch).
  tools: `(function (P) {
  "use strict";
  const { apply, host } = P;
  const { strictJson, toError } = P.piece("common");
  const { isArray, parse, stringify, mapGet, mapSet, mapDelete } = P;
  const { Promise: PromiseCtor, TypeError: TypeErrorCtor, Error: ErrorCtor, Map: MapCtor } = P;
  const calls = new MapCtor();
  let nextCallId = 0;

  function callTool(server, tool, args) {
    return new PromiseCtor((resolve, reject) => {
      if (typeof server !== "string" || server === "") throw new TypeErrorCtor("callTool(server, tool, args): server must be a non-empty string");
      if (typeof tool !== "string" || tool === "") throw new TypeErrorCtor("callTool(server, tool, args): tool must be a non-empty string");
      if (args === undefined || args === null) args = {};
      if (typeof args !== "object" || isArray(args)) throw new TypeErrorCtor("callTool(server, tool, args): args must be an object");
      const callJson = "[" + stringify(server) + "," + stringify(tool) + "," + strictJson(args, "callTool arguments", "ARGS_INVALID") + "]";
      const id = ++nextCallId;
      // The rejection is created later, from the host; give it the stack of the call site so
      // that an uncaught tool error points at the user's line.
      const site = new ErrorCtor();
      apply(mapSet, calls, [id, { resolve, reject, server, tool, stack: site.stack }]);
      const immediate = host.callTool(id, callJson);
      if (immediate !== "") answer(id, parse(immediate));
    });
  }

  function settle(batch) {
    const answers = parse(batch);
    for (let i = 0; i < answers.length; i++) answer(answers[i][0], answers[i][1]);
  }

  function answer(id, reply) {
    const call = apply(mapGet, calls, [id]);
    if (call === undefined) return;
    apply(mapDelete, calls, [id]);
    if (reply.ok) call.resolve(reply.value);
    else {
      const error = toError(reply.error, call);
      error.stack = call.stack;
      call.reject(error);
    }
  }

  return { callTool, settle };
})`,

  // Timers, bounded by the host: delays clamped to the deadline, a cap on pending timers.
  timers: `(function (P) {
  "use strict";
  const { apply, host } = P;
  const { Number: NumberCtor, TypeError: TypeErrorCtor, Map: MapCtor, mapGet, mapSet, mapDelete, mapHas } = P;
  const timers = new MapCtor();
  let nextTimerId = 0;

  function setTimeout(callback, delay, ...args) {
    if (typeof callback !== "function") throw new TypeErrorCtor("setTimeout(callback, delay): callback must be a function");
    let ms = NumberCtor(delay);
    if (!(ms > 0)) ms = 0;
    const id = ++nextTimerId;
    host.timer("set", id, ms);
    apply(mapSet, timers, [id, { callback, args }]);
    return id;
  }

  function clearTimeout(id) {
    if (typeof id !== "number" || !apply(mapHas, timers, [id])) return;
    apply(mapDelete, timers, [id]);
    host.timer("clear", id, 0);
  }

  function fireTimer(id) {
    const timer = apply(mapGet, timers, [id]);
    if (timer === undefined) return;
    apply(mapDelete, timers, [id]);
    apply(timer.callback, undefined, timer.args);
  }

  return { setTimeout, clearTimeout, fireTimer };
})`,

  // Files and state: synchronous, answered by the host while the guest waits.
  files: `(function (P) {
  "use strict";
  const { host, stringify, TypeError: TypeErrorCtor } = P;
  const { strictJson, unwrap } = P.piece("common");
  const check = (value, message) => { if (typeof value !== "string") throw new TypeErrorCtor(message); };

  function readFile(path) {
    check(path, "readFile(path): path must be a string");
    return unwrap(host.fs("read", stringify(path), ""));
  }
  function writeFile(path, text) {
    check(path, "writeFile(path, text): path must be a string");
    check(text, "writeFile(path, text): text must be a string (use JSON.stringify for data)");
    unwrap(host.fs("write", stringify(path), stringify(text)));
  }
  function listFiles(directory) {
    if (directory === undefined) directory = "/workspace";
    check(directory, "listFiles(directory): directory must be a string");
    return unwrap(host.fs("list", stringify(directory), ""));
  }
  function getState(key) {
    check(key, "getState(key): key must be a string");
    return unwrap(host.state("get", stringify(key), ""));
  }
  function setState(key, value) {
    check(key, "setState(key, value): key must be a string");
    const json = value === undefined ? "" : strictJson(value, "state value", "RESULT_UNSERIALIZABLE");
    unwrap(host.state("set", stringify(key), json));
  }

  return { readFile, writeFile, listFiles, getState, setState };
})`,

  // What the host reports about an uncaught value.
  errors: `(function (P) {
  "use strict";
  const { apply, stringify, parse, slice, toStr: objectToString, String: StringCtor, Error: ErrorCtor } = P;

  function describe(thrown) {
    try {
      let isError = false;
      try { isError = thrown instanceof ErrorCtor || apply(objectToString, thrown, []) === "[object Error]"; } catch {}
      if (isError) {
        const info = { isError: true, name: "Error", message: "", stack: "" };
        try { info.stack = typeof thrown.stack === "string" ? thrown.stack : ""; } catch {}
        try { info.name = StringCtor(thrown.name); } catch {}
        try { info.message = StringCtor(thrown.message); } catch {}
        try { if (typeof thrown.code === "string") info.code = thrown.code; } catch {}
        try {
          if (thrown.details !== undefined) {
            info.details = parse(P.piece("json").toJson(thrown.details, "details", 65536, "RESULT_UNSERIALIZABLE"));
          }
        } catch {}
        try { if (typeof thrown.server === "string") info.server = thrown.server; } catch {}
        try { if (typeof thrown.tool === "string") info.tool = thrown.tool; } catch {}
        return stringify(info);
      }
      let text;
      try { text = P.piece("console").inspect(thrown, 1, []); } catch { text = "<unprintable>"; }
      if (text.length > 2000) text = apply(slice, text, [0, 2000]) + "...";
      return stringify({ isError: false, type: thrown === null ? "null" : typeof thrown, value: text });
    } catch {
      return '{"isError":false,"type":"unknown","value":"<unprintable>"}';
    }
  }

  return { describe };
})`,
};
