import { expect, test } from "vitest";

import { AbortController } from "./abort-controller";

test("abort fires each listener once, with the reason, and later aborts change nothing", () => {
  const ac = new AbortController();
  const seen: string[] = [];
  const once = () => seen.push("once");
  const always = () => seen.push("always");
  ac.signal.addEventListener("abort", once, { once: true });
  ac.signal.addEventListener("abort", always);
  ac.signal.addEventListener("abort", always);
  ac.signal.onabort = () => seen.push("onabort");
  expect(ac.signal.aborted).toBe(false);
  ac.abort("stop");
  ac.abort("again");
  expect(seen).toEqual(["onabort", "once", "always"]);
  expect(ac.signal.aborted).toBe(true);
  expect(ac.signal.reason).toBe("stop");
  expect(() => ac.signal.throwIfAborted()).toThrow();
});

test("a removed listener is not called; abort without a reason gives an AbortError", () => {
  const ac = new AbortController();
  let called = false;
  const fn = () => (called = true);
  ac.signal.addEventListener("abort", fn);
  ac.signal.removeEventListener("abort", fn);
  ac.abort();
  expect(called).toBe(false);
  expect((ac.signal.reason as Error).name).toBe("AbortError");
});
