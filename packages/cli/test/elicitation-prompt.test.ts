/**
 * Answering a server's request for input on the terminal: the questions asked, answers coerced by
 * the field's type, a wrong answer asked again, an empty required answer declining, end of input
 * cancelling, and the server's text shown with control characters escaped. The person is played
 * by a scripted list of lines.
 */
import { describe, expect, it } from "vitest";
import { terminalElicitation } from "../src/elicitation-prompt.js";
import { Output } from "../src/output.js";

function terminal(lines: (string | undefined)[]) {
  const stderr: string[] = [];
  const questions: string[] = [];
  const sink = (into: string[]) => ({ write: (text: string) => void into.push(text), isTTY: false });
  const output = new Output({
    stdout: sink([]),
    stderr: sink(stderr),
    json: false,
    colorFlag: false,
    env: {},
    quiet: false,
    verbose: false,
  });
  const ask = async (question: string) => {
    questions.push(question);
    return lines.shift();
  };
  return { handler: terminalElicitation(ask, output), stderr, questions };
}

const schema = {
  type: "object",
  properties: {
    name: { type: "string", title: "Name" },
    age: { type: "integer", description: "in years" },
    subscribe: { type: "boolean" },
    colour: { type: "string", enum: ["red", "blue"] },
  },
  required: ["name", "age"],
};

describe("terminal elicitation", () => {
  it("asks one question per field and coerces the answers by type", async () => {
    const { handler, questions } = terminal(["Ada", "36", "yes", "blue"]);
    const answer = await handler({ server: "s", message: "Who are you?", requestedSchema: schema });
    expect(answer).toEqual({
      action: "accept",
      content: { name: "Ada", age: 36, subscribe: true, colour: "blue" },
    });
    expect(questions).toEqual([
      "  Name: ",
      "  age (in years): ",
      "  subscribe (optional): ",
      "  colour [red/blue] (optional): ",
    ]);
  });

  it("asks again after an answer of the wrong type, and leaves skipped optional fields out", async () => {
    const { handler, stderr } = terminal(["Ada", "thirty", "36.5", "36", "", ""]);
    const answer = await handler({ server: "s", message: "Who?", requestedSchema: schema });
    expect(answer).toEqual({ action: "accept", content: { name: "Ada", age: 36 } });
    expect(stderr.join("")).toContain("expected an integer");
  });

  it("declines on an empty required answer, cancels at end of input", async () => {
    expect(await terminal([""]).handler({ server: "s", message: "Who?", requestedSchema: schema })).toEqual({
      action: "decline",
    });
    expect(
      await terminal([undefined]).handler({ server: "s", message: "Who?", requestedSchema: schema }),
    ).toEqual({
      action: "cancel",
    });
  });

  it("shows the server's message with control characters escaped", async () => {
    const { handler, stderr } = terminal(["x", "1"]);
    await handler({ server: "s", message: "hi\u001b[2J there", requestedSchema: schema });
    expect(stderr.join("")).toContain('server "s" asks: hi\\u001b[2J there');
    expect(stderr.join("")).not.toContain("\u001b");
  });
});
