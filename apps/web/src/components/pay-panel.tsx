"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";

import type { TClientKind } from "~/lib/client-kind";
import { appCodeOf, errorText, textForAppCode } from "~/lib/error-text";
import { api } from "~/trpc/react";

import type { TPayOutcome } from "./wechat-sdk";
import { chooseWXPay, configureWechatSdk, currentSignUrl } from "./wechat-sdk";

type TWx = Awaited<ReturnType<typeof configureWechatSdk>>;

type TPhase =
  | { kind: "idle" }
  | { kind: "preparing" } // JSAPI: OAuth redirect or wx.config under way
  | { kind: "working" } // prepay in flight, or WeChat's cashier is open
  | { kind: "leaving"; text: string } // navigating to WeChat's H5 cashier or the OAuth page
  | { kind: "notPaid"; text: string } // JSAPI cancel/fail: the order is still waiting for payment
  | { kind: "closed" }
  | { kind: "error"; text: string };

const OAUTH_GUARD_KEY = "wxpay_oauth_started_at";
/** A second OAuth round trip this soon after the first means the session did not keep the openid: stop. */
const OAUTH_GUARD_MS = 30_000;

/** Where WeChat's OAuth starts; it comes back to `returnTo` (this page) with the openid in the session. */
function oauthStartHref(): string {
  const returnTo = `${window.location.pathname}${window.location.search}`;
  return `/api/wechat/oauth/start?returnTo=${encodeURIComponent(returnTo)}`;
}

/** Sends the browser through WeChat's silent OAuth (snsapi_base) once; false when it just came back without it. */
function startOAuth(): boolean {
  const last = Number(window.sessionStorage.getItem(OAUTH_GUARD_KEY) ?? 0);
  if (Date.now() - last < OAUTH_GUARD_MS) return false;
  window.sessionStorage.setItem(OAUTH_GUARD_KEY, String(Date.now()));
  window.location.replace(oauthStartHref());
  return true;
}

/**
 * Pays one order: H5 (MWEB) in a mobile browser, JSAPI inside WeChat. It never decides that the order is paid;
 * after WeChat's cashier it sends the shopper to the result page, which asks the server.
 */
export function PayPanel(props: {
  orderId: string;
  kind: Exclude<TClientKind, "desktop">;
  hasOpenid: boolean;
  ios: boolean;
  asWechat: boolean;
  label: string;
  secondary?: boolean;
}) {
  const { orderId, kind, hasOpenid, ios, asWechat } = props;
  const router = useRouter();
  const utils = api.useUtils();
  const prepay = api.prepay.useMutation();
  const [phase, setPhase] = useState<TPhase>(kind === "wechat" ? { kind: "preparing" } : { kind: "idle" });
  const wxRef = useRef<TWx | undefined>(undefined);
  const resultHref = `/orders/${orderId}/result`;

  // Back from WeChat's cashier through the browser's back button: the page comes out of the back-forward
  // cache still saying "leaving"; make it usable again.
  useEffect(() => {
    const onPageShow = (e: PageTransitionEvent) => {
      if (e.persisted) setPhase((p) => (p.kind === "leaving" ? { kind: "idle" } : p));
    };
    window.addEventListener("pageshow", onPageShow);
    return () => window.removeEventListener("pageshow", onPageShow);
  }, []);

  // Inside WeChat: the openid first (silent OAuth), then the JS-SDK signed for this page.
  useEffect(() => {
    if (kind !== "wechat") return;
    let cancelled = false;
    if (!hasOpenid) {
      if (startOAuth()) setPhase({ kind: "leaving", text: "正在确认你的微信身份…" });
      else setPhase({ kind: "error", text: "暂时无法确认你的微信身份，请关闭页面后重新打开。" });
      return;
    }
    window.sessionStorage.removeItem(OAUTH_GUARD_KEY);
    (async () => {
      try {
        const config = await utils.client.jsConfig.query({ url: currentSignUrl(ios) });
        const wx = await configureWechatSdk(config, { asWechat });
        if (cancelled) return;
        wxRef.current = wx;
        setPhase({ kind: "idle" });
      } catch (err) {
        if (cancelled) return;
        setPhase({
          kind: "error",
          text: appCodeOf(err) ? errorText(err) : "微信支付组件加载失败，请刷新页面后重试。",
        });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [kind, hasOpenid, ios, asWechat, utils]);

  const onPrepayError = useCallback(
    (err: unknown) => {
      const code = appCodeOf(err);
      if (code === "ORDER_PAID") {
        router.push(resultHref);
        setPhase({ kind: "leaving", text: textForAppCode("ORDER_PAID") });
      } else if (code === "ORDER_CLOSED") {
        setPhase({ kind: "closed" });
      } else if (code === "OAUTH_REQUIRED" && startOAuth()) {
        setPhase({ kind: "leaving", text: textForAppCode("OAUTH_REQUIRED") });
      } else {
        setPhase({ kind: "error", text: errorText(err) });
      }
    },
    [router, resultHref],
  );

  const pay = async () => {
    setPhase({ kind: "working" });
    let res;
    try {
      res = await prepay.mutateAsync({ orderId, channel: kind === "wechat" ? "jsapi" : "h5" });
    } catch (err) {
      onPrepayError(err);
      return;
    }
    if (res.channel === "h5") {
      setPhase({ kind: "leaving", text: "正在打开微信支付…" });
      // WeChat: mweb_url must be opened by a normal navigation from our page, so that a Referer is sent.
      window.location.assign(res.mwebUrl);
      return;
    }
    if (res.channel !== "jsapi" || !wxRef.current) {
      setPhase({ kind: "error", text: "微信支付组件加载失败，请刷新页面后重试。" });
      return;
    }
    const outcome: TPayOutcome = await chooseWXPay(wxRef.current, res.payParams);
    if (outcome === "ok") {
      // The client's "ok" is not proof of payment: the result page confirms it with the server.
      setPhase({ kind: "leaving", text: "正在确认支付结果…" });
      router.push(resultHref);
    } else {
      setPhase({
        kind: "notPaid",
        text:
          outcome === "cancel"
            ? "你已取消支付，订单仍待支付，可以随时重新支付。"
            : "支付没有完成，没有扣款。订单仍待支付，请稍后重试。",
      });
    }
  };

  if (phase.kind === "closed") {
    return (
      <div className="pay-panel" data-testid="pay-panel">
        <p className="error" role="alert">
          {textForAppCode("ORDER_CLOSED")}
        </p>
        <a className="btn btn-primary" href="/">
          重新下单
        </a>
      </div>
    );
  }

  const busy = phase.kind === "preparing" || phase.kind === "working" || phase.kind === "leaving";
  return (
    <div className="pay-panel" data-testid="pay-panel" data-phase={phase.kind}>
      <button
        type="button"
        className={props.secondary ? "btn btn-secondary" : "btn btn-primary"}
        disabled={busy}
        onClick={() => void pay()}
        data-testid="pay-button"
      >
        {phase.kind === "preparing"
          ? "正在准备微信支付…"
          : phase.kind === "working"
            ? "正在发起支付…"
            : props.label}
      </button>
      {phase.kind === "leaving" && <p className="notice">{phase.text}</p>}
      {phase.kind === "notPaid" && (
        <p className="warn" role="status" data-testid="not-paid">
          {phase.text}
        </p>
      )}
      {phase.kind === "error" && (
        <p className="error" role="alert">
          {phase.text}
        </p>
      )}
    </div>
  );
}
