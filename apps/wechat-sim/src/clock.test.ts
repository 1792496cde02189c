import { describe, expect, it } from "vitest";

import { createClock } from "./clock";

describe("simulated clock", () => {
  it("a frozen clock moves only when advanced, and runs due tasks in time order", () => {
    const clock = createClock({ timeScale: 0, start: 1_000 });
    const ran: string[] = [];
    clock.at(1_500, () => ran.push("b"));
    clock.at(1_200, () => ran.push("a"));
    clock.at(9_000, () => ran.push("late"));
    expect(clock.now()).toBe(1_000);
    clock.advance(499);
    expect(ran).toEqual(["a"]);
    clock.advance(1);
    expect(ran).toEqual(["a", "b"]);
    expect(clock.now()).toBe(1_500);
    clock.dispose();
  });

  it("a cancelled task never runs; a task may schedule another that is already due", () => {
    const clock = createClock({ timeScale: 0, start: 0 });
    const ran: string[] = [];
    const cancel = clock.at(10, () => ran.push("cancelled"));
    clock.at(20, () => clock.at(15, () => ran.push("chained")));
    cancel();
    clock.advance(30);
    expect(ran).toEqual(["chained"]);
    clock.dispose();
  });

  it("at scale 1000 one real millisecond is a simulated second, and timers fire on real time", async () => {
    const clock = createClock({ timeScale: 1000, start: 0 });
    const fired = new Promise<number>((resolve) => clock.at(100_000, () => resolve(clock.now())));
    const t0 = performance.now();
    const at = await fired;
    expect(at).toBeGreaterThanOrEqual(100_000);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    expect(clock.realMs(5000)).toBe(5);
    clock.dispose();
  });

  it("refuses a negative scale or advance", () => {
    expect(() => createClock({ timeScale: -1 })).toThrow();
    const clock = createClock({ timeScale: 0 });
    expect(() => clock.advance(-5)).toThrow();
  });
});
