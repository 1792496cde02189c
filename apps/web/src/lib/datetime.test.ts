import { describe, expect, it } from "vitest";

import { formatBeijingDateTime } from "./datetime";

describe("formatBeijingDateTime", () => {
  it("shows UTC instants in Beijing time (UTC+8), across midnight", () => {
    expect(formatBeijingDateTime("2026-05-01T06:03:00.000Z")).toBe("2026-05-01 14:03");
    expect(formatBeijingDateTime("2026-12-31T16:30:00Z")).toBe("2027-01-01 00:30");
  });

  it("shows nothing for an unreadable date", () => {
    expect(formatBeijingDateTime("not a date")).toBe("");
  });
});
