// @ts-check
/**
 * console: arguments formatted roughly like Node's util.format.
 *
 * @param {import("./host-api").Primordials} P
 * @returns {import("./host-api").Pieces["console"]}
 */
export default function consolePiece(P) {
  const {
    apply,
    stringify,
    host,
    toStr: objectToString,
    keys: ObjectKeys,
    isArray,
    trunc,
    test,
    join,
    replace,
  } = P;
  const {
    symbolToString,
    dateToISOString,
    regexpToString,
    String: StringCtor,
    Number: NumberCtor,
    Error: ErrorCtor,
  } = P;
  const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
  const FORMAT = /%[sdifjoOc%]/g;
  const errorStack = (error) => {
    try {
      return typeof error.stack === "string" ? error.stack : "";
    } catch {
      return "";
    }
  };

  function inspect(value, depth, seen) {
    switch (typeof value) {
      case "string":
        return depth === 0 ? value : stringify(value);
      case "number":
        return value === 0 && 1 / value < 0 ? "-0" : StringCtor(value);
      case "boolean":
      case "undefined":
        return StringCtor(value);
      case "bigint":
        return StringCtor(value) + "n";
      case "symbol":
        return apply(symbolToString, value, []);
      case "function": {
        let name = "";
        try {
          name = typeof value.name === "string" ? value.name : "";
        } catch {}
        return name ? "[Function: " + name + "]" : "[Function (anonymous)]";
      }
    }
    if (value === null) return "null";
    for (let i = 0; i < seen.length; i++) if (seen[i] === value) return "[Circular]";
    const tag = apply(objectToString, value, []);
    if (value instanceof ErrorCtor || tag === "[object Error]") {
      const stack = errorStack(value);
      let head;
      try {
        head = StringCtor(value.name) + ": " + StringCtor(value.message);
      } catch {
        head = "Error";
      }
      return stack ? head + "\n" + apply(replace, stack, [/\n$/, ""]) : head;
    }
    if (tag === "[object Date]") {
      try {
        return apply(dateToISOString, value, []);
      } catch {
        return "Invalid Date";
      }
    }
    if (tag === "[object RegExp]") return apply(regexpToString, value, []);
    if (tag === "[object Promise]") return "Promise {}";
    if (depth > 3) return isArray(value) ? "[Array]" : "[Object]";
    seen[seen.length] = value;
    try {
      const items = [];
      if (isArray(value)) {
        // Not Math.min: guest code may have replaced Math; these pieces use captured built-ins only.
        // biome-ignore lint/complexity/useMathMinMax: see above
        const shown = value.length > 100 ? 100 : value.length;
        for (let i = 0; i < shown; i++) items[items.length] = inspect(value[i], depth + 1, seen);
        if (value.length > shown) items[items.length] = "... " + (value.length - shown) + " more items";
        return items.length === 0 ? "[]" : "[ " + apply(join, items, [", "]) + " ]";
      }
      if (tag === "[object Map]" || tag === "[object Set]") {
        let count = 0;
        for (const entry of value) {
          if (count++ >= 100) {
            items[items.length] = "...";
            break;
          }
          items[items.length] =
            tag === "[object Map]"
              ? inspect(entry[0], depth + 1, seen) + " => " + inspect(entry[1], depth + 1, seen)
              : inspect(entry, depth + 1, seen);
        }
        const kind = tag === "[object Map]" ? "Map" : "Set";
        return (
          kind + "(" + value.size + ") " + (items.length ? "{ " + apply(join, items, [", "]) + " }" : "{}")
        );
      }
      const keys = ObjectKeys(value);
      // biome-ignore lint/complexity/useMathMinMax: guest code may have replaced Math
      const shown = keys.length > 100 ? 100 : keys.length;
      for (let i = 0; i < shown; i++) {
        const key = keys[i];
        let item;
        try {
          item = value[key];
        } catch {
          item = "[Getter threw]";
        }
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
      text = apply(replace, first, [
        FORMAT,
        (token) => {
          if (token === "%%") return "%";
          if (index >= args.length) return token;
          const arg = args[index++];
          switch (token) {
            case "%s":
              return typeof arg === "string" ? arg : inspect(arg, 1, []);
            case "%d":
            case "%i": {
              if (typeof arg === "bigint") return StringCtor(arg) + "n";
              const n = NumberCtor(arg);
              return StringCtor(token === "%i" ? trunc(n) : n);
            }
            case "%f":
              return StringCtor(NumberCtor(arg));
            case "%j":
              try {
                return stringify(arg);
              } catch {
                return "[Circular]";
              }
            case "%c":
              return "";
            default:
              return inspect(arg, 1, []);
          }
        },
      ]);
    } else if (args.length > 0) {
      text = inspect(first, 0, []);
      index = 1;
    }
    for (; index < args.length; index++) text += " " + inspect(args[index], 0, []);
    return text;
  }

  return {
    inspect,
    log(...args) {
      host.log("log", stringify(format(args)));
    },
    info(...args) {
      host.log("info", stringify(format(args)));
    },
    warn(...args) {
      host.log("warn", stringify(format(args)));
    },
    error(...args) {
      host.log("error", stringify(format(args)));
    },
    debug(...args) {
      host.log("debug", stringify(format(args)));
    },
  };
}
