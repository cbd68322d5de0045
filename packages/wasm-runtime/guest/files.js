// @ts-check
/**
 * Files and state: synchronous, answered by the host while the guest waits.
 *
 * @param {import("./host-api").Primordials} P
 * @returns {import("./host-api").Pieces["files"]}
 */
export default function filesPiece(P) {
  const { host, stringify, TypeError: TypeErrorCtor } = P;
  const { strictJson, unwrap } = P.piece("common");
  const check = (value, message) => {
    if (typeof value !== "string") throw new TypeErrorCtor(message);
  };

  function readFile(path) {
    check(path, "readFile(path): path must be a string");
    return unwrap(host.fs("read", stringify(path), ""));
  }
  function writeFile(path, text) {
    check(path, "writeFile(path, text): path must be a string");
    check(text, "writeFile(path, text): text must be a string (use JSON.stringify for data)");
    unwrap(host.fs("write", stringify(path), stringify(text), text.length));
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
}
