// @ts-check
/**
 * What the host reports about an uncaught value.
 *
 * @param {import("./host-api").Primordials} P
 * @returns {import("./host-api").Pieces["errors"]}
 */
export default function errorsPiece(P) {
  const { apply, stringify, parse, slice, toStr: objectToString, String: StringCtor, Error: ErrorCtor } = P;

  // Long texts are cut here, in the guest, before they are copied out to the host.
  const cut = (text, maxChars) =>
    text.length > maxChars ? apply(slice, text, [0, maxChars]) + "... [truncated]" : text;

  function describe(thrown, maxChars) {
    if (!(maxChars >= 0)) maxChars = 65536;
    try {
      let isError = false;
      try {
        isError = thrown instanceof ErrorCtor || apply(objectToString, thrown, []) === "[object Error]";
      } catch {}
      if (isError) {
        const info = { isError: true, name: "Error", message: "", stack: "" };
        try {
          info.stack = typeof thrown.stack === "string" ? cut(thrown.stack, maxChars) : "";
        } catch {}
        try {
          info.name = cut(StringCtor(thrown.name), 256);
        } catch {}
        try {
          info.message = cut(StringCtor(thrown.message), maxChars);
        } catch {}
        try {
          if (typeof thrown.code === "string") info.code = cut(thrown.code, 256);
        } catch {}
        const hostCode = P.hostCode(thrown);
        if (typeof hostCode === "string") info.hostCode = hostCode;
        try {
          if (thrown.details !== undefined) {
            info.details = parse(
              P.piece("json").toJson(thrown.details, "details", maxChars, "RESULT_UNSERIALIZABLE"),
            );
          }
        } catch {}
        try {
          if (typeof thrown.server === "string") info.server = cut(thrown.server, 512);
        } catch {}
        try {
          if (typeof thrown.tool === "string") info.tool = cut(thrown.tool, 512);
        } catch {}
        return stringify(info);
      }
      let text;
      try {
        text = P.piece("console").inspect(thrown, 1, []);
      } catch {
        text = "<unprintable>";
      }
      // biome-ignore lint/complexity/useMathMinMax: guest code may have replaced Math
      text = cut(text, maxChars < 2000 ? maxChars : 2000);
      return stringify({ isError: false, type: thrown === null ? "null" : typeof thrown, value: text });
    } catch {
      return '{"isError":false,"type":"unknown","value":"<unprintable>"}';
    }
  }

  return { describe };
}
