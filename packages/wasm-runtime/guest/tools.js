// @ts-check
/**
 * callTool and readResource: a promise per call, settled by the host through settle(batch).
 *
 * @param {import("./host-api").Primordials} P
 * @returns {import("./host-api").Pieces["tools"]}
 */
export default function toolsPiece(P) {
  const { apply, host } = P;
  const { strictJson, toError } = P.piece("common");
  const { isArray, parse, stringify, mapGet, mapSet, mapDelete } = P;
  const { Promise: PromiseCtor, TypeError: TypeErrorCtor, Error: ErrorCtor, Map: MapCtor } = P;
  const calls = new MapCtor();
  let nextCallId = 0;

  function callTool(server, tool, args) {
    return new PromiseCtor((resolve, reject) => {
      if (typeof server !== "string" || server === "")
        throw new TypeErrorCtor("callTool(server, tool, args): server must be a non-empty string");
      if (typeof tool !== "string" || tool === "")
        throw new TypeErrorCtor("callTool(server, tool, args): tool must be a non-empty string");
      if (args === undefined || args === null) args = {};
      if (typeof args !== "object" || isArray(args))
        throw new TypeErrorCtor("callTool(server, tool, args): args must be an object");
      const callJson =
        "[" +
        stringify(server) +
        "," +
        stringify(tool) +
        "," +
        strictJson(args, "callTool arguments", "ARGS_INVALID") +
        "]";
      send({ resolve, reject, server, tool }, callJson, "tool");
    });
  }

  function readResource(server, uri) {
    return new PromiseCtor((resolve, reject) => {
      if (typeof server !== "string" || server === "")
        throw new TypeErrorCtor("readResource(server, uri): server must be a non-empty string");
      if (typeof uri !== "string" || uri === "")
        throw new TypeErrorCtor("readResource(server, uri): uri must be a non-empty string");
      send(
        { resolve, reject, server, uri },
        "[" + stringify(server) + "," + stringify(uri) + ",{}]",
        "resource",
      );
    });
  }

  function send(call, callJson, kind) {
    const id = ++nextCallId;
    // The rejection is created later, from the host; give it the stack of the call site so
    // that an uncaught error points at the user's line.
    call.stack = new ErrorCtor().stack;
    apply(mapSet, calls, [id, call]);
    const immediate = host.callTool(id, callJson, kind);
    if (immediate !== "") answer(id, parse(immediate));
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

  return { callTool, readResource, settle };
}
