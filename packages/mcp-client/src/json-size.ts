/**
 * The length of a value's JSON text, computed without building it and without recursion, so a
 * value nested thousands of levels deep (a hostile schema) costs a loop, not the call stack.
 * Strings are counted by their UTF-16 length plus quotes; escapes are ignored, so the result is
 * a close lower bound, good for budgets.
 */
export function jsonSize(value: unknown): number {
  let size = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current === "string") {
      size += current.length + 2;
    } else if (Array.isArray(current)) {
      size += 2 + Math.max(0, current.length - 1);
      for (const item of current) pending.push(item);
    } else if (current !== null && typeof current === "object") {
      const entries = Object.entries(current);
      size += 2 + Math.max(0, entries.length - 1);
      for (const [key, item] of entries) {
        size += key.length + 3;
        pending.push(item);
      }
    } else if (typeof current === "number" || typeof current === "boolean") {
      size += String(current).length;
    } else {
      size += 4; // null (and undefined, which JSON writes as null in arrays)
    }
  }
  return size;
}

const depthCache = new WeakMap<object, number>();

/**
 * How deeply a value nests (a scalar is 0, `{}` and `[]` are 1, `{"a": []}` is 2), computed
 * without recursion; results for objects are remembered, so asking again about a shared value is
 * free.
 */
export function jsonDepth(value: unknown): number {
  if (value === null || typeof value !== "object") return 0;
  const cached = depthCache.get(value);
  if (cached !== undefined) return cached;
  // Post-order walk: a container's depth is known once all its children's are. Values on the
  // current path are skipped, so a cyclic object (never JSON, but a caller's) cannot loop forever.
  const stack: { readonly node: object; expanded: boolean }[] = [{ node: value, expanded: false }];
  const onPath = new Set<object>();
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { readonly node: object; expanded: boolean };
    const children = Object.values(top.node).filter(
      (child): child is object => child !== null && typeof child === "object",
    );
    if (!top.expanded) {
      top.expanded = true;
      onPath.add(top.node);
      for (const child of children) {
        if (!depthCache.has(child) && !onPath.has(child)) stack.push({ node: child, expanded: false });
      }
      continue;
    }
    stack.pop();
    onPath.delete(top.node);
    let deepest = 0;
    for (const child of children) deepest = Math.max(deepest, depthCache.get(child) ?? 0);
    depthCache.set(top.node, deepest + 1);
  }
  return depthCache.get(value) ?? 0;
}
