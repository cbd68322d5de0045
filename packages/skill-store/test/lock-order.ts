/** Lock events in the order they happened: no two owners ever hold a lock together. */
import { expect } from "vitest";

export /** Checks that lock events alternate locked/unlocking with the same owner; returns the number of saves. */
function expectNoInterleaving(events: readonly { owner: string; event: string }[]): number {
  let holder: string | undefined;
  let saves = 0;
  for (const [index, { owner, event }] of events.entries()) {
    if (event === "locked") {
      expect(holder, `event ${index}: ${owner} locked while ${holder} held the lock`).toBeUndefined();
      holder = owner;
    } else {
      expect(holder, `event ${index}: ${owner} released a lock it did not hold`).toBe(owner);
      holder = undefined;
      saves++;
    }
  }
  expect(holder).toBeUndefined();
  return saves;
}
