/**
 * The argument rules of `call`, as `mcp-cli call --help` prints them. A module of its own so that
 * `--help` loads no code beyond this text; `call-arguments.ts` implements the rules.
 */
export const CALL_ARGUMENT_RULES = `
Arguments (coerced by the tool's input schema):
  key=value        a value the schema allows as a number, integer, boolean, null, object or
                   array (JSON) becomes that type; otherwise a string. value=500 for
                   string|number sends 500; id=007 for a string sends "007"
  key='"500"'      a value in JSON double quotes is always that string
  key:=json        the JSON value as written: n:=5, ids:='[1,2]', flag:=true
  key=@file        the file's contents, then coerced as above (key=@@x is the text "@x")
  key=a key=b      an array argument from repeated pairs, each item coerced by "items"
  a.b.c=x          nested fields: edits.0.oldText=x sets the first item of the array "edits"
  --args <json>    a JSON object (inline, @file or - for stdin); pairs are merged on top
A name the schema does not list is an error (with the closest name), before anything is sent;
use --args to send one anyway. Required arguments with a default in the schema may be left out.`;
