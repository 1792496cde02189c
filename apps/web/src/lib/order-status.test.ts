import { describe, expect, it } from "vitest";

import { isFinalStatus, MAX_POLL_DELAY_MS, MAX_POLLS, pollDelayMs, statusText } from "./order-status";

describe("pollDelayMs", () => {
  it("backs off from one second to a ten-second ceiling", () => {
    const delays = Array.from({ length: 12 }, (_, n) => pollDelayMs(n));
    expect(delays[0]).toBe(1000);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] as number);
    expect(delays.at(-1)).toBe(MAX_POLL_DELAY_MS);
  });

  it("stops after about five minutes of polling", () => {
    const total = Array.from({ length: MAX_POLLS }, (_, n) => pollDelayMs(n) as number).reduce(
      (a, b) => a + b,
      0,
    );
    expect(total).toBeGreaterThan(4 * 60_000);
    expect(total).toBeLessThan(7 * 60_000);
    expect(pollDelayMs(MAX_POLLS)).toBe(false);
  });
});

describe("statusText", () => {
  it("treats only PENDING as not yet final", () => {
    expect(isFinalStatus("PENDING")).toBe(false);
    for (const s of ["PAID", "CLOSED", "PAID_NEEDS_REVIEW", "REFUNDING", "REFUNDED"] as const) {
      expect(isFinalStatus(s)).toBe(true);
    }
  });

  it("says plainly what happened to the money", () => {
    expect(statusText("PAID").title).toBe("支付成功");
    expect(statusText("CLOSED").detail).toContain("没有扣款");
    expect(statusText("PENDING").title).not.toContain("成功");
  });
});
