// @ts-check
/**
 * The core of the guest API, evaluated in every fresh context before the guest's code: it
 * captures the built-ins the pieces rely on, defines the globals as stubs (each piece compiles on
 * first use), records the errors the sandbox raises, and returns the functions the host calls.
 *
 * @param {import("./host-api").SandboxHost} host
 * @returns {import("./host-api").GuestApi}
 */
export default function installCore(host) {
  const G = globalThis;
  const apply = Reflect.apply;
  const defineProperty = Object.defineProperty;
  const stringify = JSON.stringify;
  const toStr = Object.prototype.toString;
  const then = Promise.prototype.then;
  const PromiseCtor = Promise;
  const resolve = Promise.resolve;
  const pieces = Object.create(null);
  // The built-ins the pieces use, captured before guest code can replace them. The helpers
  // (piece, fastJson, markHost, hostCode) are added below.
  const P = /** @type {import("./host-api").Primordials} */ (
    /** @type {unknown} */ ({
      host,
      apply,
      stringify,
      toStr,
      parse: JSON.parse,
      keys: Object.keys,
      isArray: Array.isArray,
      isFinite: Number.isFinite,
      trunc: Math.trunc,
      test: RegExp.prototype.test,
      join: Array.prototype.join,
      replace: String.prototype.replace,
      slice: String.prototype.slice,
      symbolToString: Symbol.prototype.toString,
      dateToISOString: Date.prototype.toISOString,
      regexpToString: RegExp.prototype.toString,
      String,
      Number,
      Error,
      TypeError,
      Promise,
      Map,
      mapGet: Map.prototype.get,
      mapSet: Map.prototype.set,
      mapDelete: Map.prototype.delete,
      mapHas: Map.prototype.has,
    })
  );
  // Errors the sandbox itself raised, with the code it gave them. Guest code cannot reach this
  // map, so an error it makes (or a host error whose code it changes) cannot pass as the host's.
  const hostErrors = new WeakMap();
  const weakGet = WeakMap.prototype.get;
  const weakSet = WeakMap.prototype.set;
  P.markHost = (error, code) => {
    apply(weakSet, hostErrors, [error, code]);
    return error;
  };
  P.hostCode = (error) => {
    try {
      return apply(weakGet, hostErrors, [error]);
    } catch {
      return undefined;
    }
  };
  const piece = (name) => {
    if (pieces[name] === undefined) pieces[name] = host.load(name, P);
    return pieces[name];
  };
  P.piece = piece;

  // JSON text, or undefined when JSON.stringify would drop or refuse something (the "json" piece
  // then says exactly what and where).
  const REFUSED = {
    "[object Promise]": 1,
    "[object Map]": 1,
    "[object Set]": 1,
    "[object WeakMap]": 1,
    "[object WeakSet]": 1,
  };
  const replacer = (_key, value) => {
    const type = typeof value;
    if (type === "function" || type === "symbol" || type === "bigint") throw REFUSED;
    if (type === "object" && value !== null && REFUSED[apply(toStr, value, [])] === 1) throw REFUSED;
    return value;
  };
  P.fastJson = (value) => {
    try {
      return stringify(value, replacer);
    } catch {
      return undefined;
    }
  };

  // The globals are stubs; the piece behind each is compiled on first call.
  const consoleObject = {};
  const names = [
    "console.log",
    "console.info",
    "console.warn",
    "console.error",
    "console.debug",
    "tools.callTool",
    "tools.readResource",
    "files.readFile",
    "files.writeFile",
    "files.listFiles",
    "files.getState",
    "files.setState",
    "timers.setTimeout",
    "timers.clearTimeout",
  ];
  for (let i = 0; i < names.length; i++) {
    const dot = names[i].indexOf(".");
    const pieceName = /** @type {"console" | "tools" | "files" | "timers"} */ (names[i].slice(0, dot));
    const name = names[i].slice(dot + 1);
    const stub = {
      [name](...args) {
        return apply(piece(pieceName)[name], this, args);
      },
    }[name];
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
      return apply(then, settled, [
        (value) => {
          if (value === undefined) return "Rnull";
          const json = P.fastJson(value);
          return json === undefined ? piece("json").explain(value, budget) : "R" + json;
        },
      ]);
    },
    settle: (batch) => piece("tools").settle(batch),
    fireTimer: (id) => piece("timers").fireTimer(id),
    describe: (thrown, maxChars) => piece("errors").describe(thrown, maxChars),
    coded: (code, message) => {
      /** @type {import("./host-api").CodedError} */
      const error = new P.Error(message);
      error.code = code;
      return P.markHost(error, code);
    },
  };
}
