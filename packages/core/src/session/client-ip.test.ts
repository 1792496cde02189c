import { describe, expect, it } from "vitest";

import { clientIpFrom } from "./client-ip";

describe("clientIpFrom", () => {
  it("never trusts the left-most X-Forwarded-For entry a client can write", () => {
    expect(clientIpFrom("6.6.6.6, 203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientIpFrom("6.6.6.6, 203.0.113.7, 10.0.0.2", 2)).toBe("203.0.113.7");
  });
  it("uses the address Next filled in from the socket when there is no proxy", () => {
    expect(clientIpFrom("::ffff:127.0.0.1", 0)).toBe("127.0.0.1");
    expect(clientIpFrom("2001:db8::1", 0)).toBe("2001:db8::1");
  });
  it("falls back to loopback for missing or malformed values", () => {
    expect(clientIpFrom(undefined, 0)).toBe("127.0.0.1");
    expect(clientIpFrom("not-an-ip", 1)).toBe("127.0.0.1");
    expect(clientIpFrom("1.2.3.4", 3)).toBe("127.0.0.1");
  });
});
