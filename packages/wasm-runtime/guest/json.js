// @ts-check
/**
 * Strict JSON with the path of what JSON cannot hold. undefined at the top: null; undefined
 * inside: as JSON (dropped from objects, null in arrays). Functions, symbols, BigInts, Promises,
 * Maps, Sets, cycles and nesting deeper than 1000 levels: an error naming the path.
 *
 * @param {import("./host-api").Primordials} P
 * @returns {import("./host-api").Pieces["json"]}
 */
export default function jsonPiece(P) {
  const {
    apply,
    stringify,
    toStr: objectToString,
    keys: ObjectKeys,
    isArray,
    isFinite: isFiniteNumber,
    test,
    join,
  } = P;
  const { String: StringCtor, Error: ErrorCtor } = P;
  const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
  const MAX_DEPTH = 1000;
  class SerializeFailure {
    constructor(code, message) {
      this.code = code;
      this.message = message;
    }
  }
  const UNSUPPORTED = {
    "[object Promise]": "is a Promise; did you forget await?",
    "[object Map]": "is a Map, which JSON cannot hold; convert it with Object.fromEntries()",
    "[object Set]": "is a Set, which JSON cannot hold; convert it with Array.from()",
    "[object WeakMap]": "is a WeakMap, which JSON cannot hold",
    "[object WeakSet]": "is a WeakSet, which JSON cannot hold",
  };
  const propertyPath = (path, key) =>
    typeof key === "number"
      ? path + "[" + key + "]"
      : apply(test, IDENTIFIER, [key])
        ? path + "." + key
        : path + "[" + stringify(key) + "]";

  function toJson(value, what, budget, failCode) {
    const parts = [];
    let size = 0;
    const seen = [];
    const out = (text) => {
      size += text.length;
      if (size > budget)
        throw new SerializeFailure("LIMIT_OUTPUT", what + " is larger than the output limit allows");
      parts[parts.length] = text;
    };
    const fail = (path, problem) => {
      throw new SerializeFailure(failCode, path + " " + problem);
    };
    const walk = (value, path, key, depth) => {
      if (value !== null && typeof value === "object") {
        let toJSON;
        try {
          toJSON = value.toJSON;
        } catch {
          toJSON = undefined;
        }
        if (typeof toJSON === "function") value = apply(toJSON, value, [StringCtor(key)]);
      }
      switch (typeof value) {
        case "string":
          out(stringify(value));
          return;
        case "number":
          out(isFiniteNumber(value) ? stringify(value) : "null");
          return;
        case "boolean":
          out(value ? "true" : "false");
          return;
        case "undefined":
          out("null");
          return;
        case "bigint":
          fail(path, "is a BigInt, which JSON cannot hold; convert it with String() or Number()");
          return;
        case "symbol":
          fail(path, "is a symbol, which JSON cannot hold");
          return;
        case "function":
          fail(path, "is a function, which JSON cannot hold");
          return;
      }
      if (value === null) {
        out("null");
        return;
      }
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
        /** @type {import("./host-api").CodedError} */
        const error = new ErrorCtor(failure.message);
        error.code = failure.code;
        throw P.markHost(error, failure.code);
      }
      throw failure;
    }
  }

  function explain(value, budget) {
    try {
      return "R" + toJson(value, "result", budget, "RESULT_UNSERIALIZABLE");
    } catch (failure) {
      if (failure instanceof SerializeFailure)
        return "F" + stringify({ code: failure.code, message: failure.message });
      throw failure;
    }
  }

  return { strict, explain, toJson };
}
