import { describe, expect, it } from "vitest";

import { formatYuan } from "./money";

describe("formatYuan", () => {
  it("formats integer fen as yuan without floating point", () => {
    expect(formatYuan(1)).toBe("¥0.01");
    expect(formatYuan(12800)).toBe("¥128.00");
    expect(formatYuan(100000000001)).toBe("¥1000000000.01");
    expect(formatYuan(-5)).toBe("-¥0.05");
  });
});
