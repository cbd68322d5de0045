// @ts-check
/**
 * Helpers of the other pieces: strict JSON out, coded (host-marked) errors in.
 *
 * @param {import("./host-api").Primordials} P
 * @returns {import("./host-api").Pieces["common"]}
 */
export default function commonPiece(P) {
  const { parse, String: StringCtor, Error: ErrorCtor } = P;
  const strictJson = (value, what, code) => {
    const json = P.fastJson(value);
    return json !== undefined ? json : P.piece("json").strict(value, what, code);
  };
  const toError = (error, call) => {
    /** @type {import("./host-api").CodedError} */
    const result = new ErrorCtor(StringCtor(error.message));
    result.code = error.code;
    if (call) {
      result.server = call.server;
      if (call.tool !== undefined) result.tool = call.tool;
      if (call.uri !== undefined) result.uri = call.uri;
    }
    if (error.details !== undefined) result.details = error.details;
    return P.markHost(result, error.code);
  };
  const unwrap = (envelope) => {
    const answer = parse(envelope);
    if (answer.ok) return answer.value;
    throw toError(answer.error);
  };
  return { strictJson, toError, unwrap };
}
