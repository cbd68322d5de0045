import { describe, expect, it } from "vitest";
import { McpCliError, ResourceScope } from "../src/index.js";

describe("ResourceScope", () => {
  it("disposes in reverse order, once, even when called twice", async () => {
    const order: string[] = [];
    const scope = new ResourceScope("test scope");
    scope.defer(() => {
      order.push("first");
    });
    scope.use({ [Symbol.dispose]: () => order.push("sync") });
    scope.use({ [Symbol.asyncDispose]: async () => void order.push("async") });
    await Promise.all([scope.close(), scope.close()]);
    await scope[Symbol.asyncDispose]();
    expect(order).toEqual(["async", "sync", "first"]);
    expect(scope.closed).toBe(true);
  });

  it("runs every cleanup when some fail, then reports the failures", async () => {
    const ran: number[] = [];
    const scope = new ResourceScope();
    scope.defer(() => void ran.push(1));
    scope.defer(() => {
      throw new Error("one");
    });
    scope.defer(() => {
      throw new Error("two");
    });
    await expect(scope.close()).rejects.toBeInstanceOf(AggregateError);
    expect(ran).toEqual([1]);
  });

  it("refuses new resources after closing with DISPOSED", async () => {
    const scope = new ResourceScope("pool");
    await scope.close();
    expect(() => scope.defer(() => undefined)).toThrow(McpCliError);
    try {
      scope.defer(() => undefined);
    } catch (error) {
      expect((error as McpCliError).code).toBe("DISPOSED");
      expect((error as McpCliError).message).toBe("pool was used after it was closed");
    }
  });
});
