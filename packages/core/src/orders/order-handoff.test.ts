import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TTestCore } from "../testing";
import type { TSession } from "../session/session-token";
import { sealH5Session } from "../session/session-token";
import { createTestCore } from "../testing";
import { createOrder } from "./create-order";
import { acceptHandoff, orderHandoffLink } from "./order-handoff";

let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);

describe("the desktop→phone handoff link", () => {
  let core: TTestCore;
  beforeAll(async () => {
    core = await createTestCore({ label: "core_handoff", wechatBase: "http://127.0.0.1:9", now });
  });
  afterAll(async () => {
    await core.close();
  });

  async function linkToken() {
    const { session } = sealH5Session(
      core.deps.config.sessionSecret,
      { customerId: "c_0123456789012345678901" },
      now(),
    );
    const { orderId } = await createOrder(core.deps, {
      customerId: session.customerId,
      items: [{ sku: "TEST-1FEN", qty: 1 }],
    });
    const link = await orderHandoffLink(core.deps, session, orderId);
    return new URL(link.url).searchParams.get("t");
  }

  const open = (token: string | null, session?: TSession, confirmed = false) =>
    acceptHandoff(core.deps, { token, session, confirmed });

  it("works once: a second opening is refused", async () => {
    const t = await linkToken();
    expect((await open(t)).kind).toBe("switched");
    expect(await open(t)).toEqual({ kind: "invalid" });
  });

  it("of two openings at the same moment, exactly one gets the session", async () => {
    const t = await linkToken();
    const outcomes = await Promise.all([open(t), open(t), open(t)]);
    expect(outcomes.filter((o) => o.kind === "switched")).toHaveLength(1);
  });

  it("is refused after about two minutes", async () => {
    const t = await linkToken();
    offsetMs += 2 * 60_000 + 1000;
    expect(await open(t)).toEqual({ kind: "invalid" });
  });

  it("a browser with another shopper's session is asked first; the link is spent only on its yes", async () => {
    const t = await linkToken();
    const phone = sealH5Session(
      core.deps.config.sessionSecret,
      { customerId: "c_9999999999999999999999" },
      now(),
    );
    expect(await open(t, phone.session)).toEqual({ kind: "confirm", token: t });
    const yes = await open(t, phone.session, true);
    expect(yes.kind).toBe("switched");
    expect(await open(t, phone.session, true)).toEqual({ kind: "invalid" });
  });

  it("a tampered or made-up token gives nothing away", async () => {
    const t = (await linkToken()) ?? "";
    expect(await open(`${t.slice(0, -1)}${t.endsWith("a") ? "b" : "a"}`)).toEqual({ kind: "invalid" });
    expect(await open("short")).toEqual({ kind: "invalid" });
    expect(await open(null)).toEqual({ kind: "invalid" });
  });
});
