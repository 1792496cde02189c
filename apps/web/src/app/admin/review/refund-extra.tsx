"use client";
// One click to give back an extra payment: the button opens a confirm step pre-filled with what is left of that
// payment; confirming goes through admin.refund — the shop's one partial-refund use case, audited like any refund.
import { useState } from "react";

import { formatYuan } from "~/lib/money";

import { adminMutate } from "../admin-client";
import { fenFromYuan, yuanInput } from "../money-input";

export function RefundExtra(props: { orderId: string; outTradeNo: string; leftFen: number }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  if (!open) {
    return (
      <button type="button" data-testid="refund-extra" onClick={() => setOpen(true)}>
        退回多收的款项 {formatYuan(props.leftFen)}
      </button>
    );
  }
  return (
    <form
      className="confirm"
      data-testid="refund-extra-confirm"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        const amountFen = fenFromYuan(String(f.get("amount") ?? ""));
        if (!amountFen) return setMessage({ ok: false, text: "请输入退款金额（元，最多两位小数）" });
        if (amountFen > props.leftFen)
          return setMessage({ ok: false, text: `最多可退 ${formatYuan(props.leftFen)}` });
        setBusy(true);
        void adminMutate<{ outRefundNo: string }>("refund", {
          orderId: props.orderId,
          outTradeNo: props.outTradeNo,
          amountFen,
          reason: String(f.get("reason") ?? ""),
        }).then((r) => {
          setBusy(false);
          if (!r.ok) return setMessage({ ok: false, text: r.message });
          setMessage({ ok: true, text: `退款已提交：${r.data.outRefundNo}` });
          setOpen(false);
          window.location.reload();
        });
      }}
    >
      <span>从支付单 {props.outTradeNo} 退回</span>
      <label>
        金额（元）
        <input name="amount" inputMode="decimal" size={8} defaultValue={yuanInput(props.leftFen)} required />
      </label>
      <label>
        原因
        <input name="reason" size={16} minLength={2} maxLength={80} defaultValue="退回多收的款项" required />
      </label>
      <button type="submit" className="danger" disabled={busy}>
        确认退款
      </button>
      <button type="button" className="secondary" onClick={() => setOpen(false)}>
        取消
      </button>
      {message && (
        <span className={message.ok ? "ok" : "error"} role="alert">
          {message.text}
        </span>
      )}
    </form>
  );
}
