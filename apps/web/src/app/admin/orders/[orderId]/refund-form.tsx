"use client";
import { useState } from "react";

import { formatYuan } from "~/lib/money";

import { adminMutate } from "../../admin-client";
import { fenFromYuan } from "../../money-input";

export function RefundForm(props: {
  orderId: string;
  payments: { outTradeNo: string; leftFen: number; own: boolean }[];
}) {
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  return (
    <form
      className="inline card"
      data-testid="refund-form"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        const amountFen = fenFromYuan(String(f.get("amount") ?? ""));
        if (!amountFen) return setMessage({ ok: false, text: "请输入退款金额（元，最多两位小数）" });
        void adminMutate<{ outRefundNo: string }>("refund", {
          orderId: props.orderId,
          outTradeNo: String(f.get("outTradeNo")),
          amountFen,
          reason: String(f.get("reason") ?? ""),
        }).then((r) => {
          if (!r.ok) return setMessage({ ok: false, text: r.message });
          setMessage({ ok: true, text: `退款已提交：${r.data.outRefundNo}` });
          window.location.reload();
        });
      }}
    >
      <label>
        退款的支付单
        <select name="outTradeNo">
          {props.payments.map((p) => (
            <option key={p.outTradeNo} value={p.outTradeNo}>
              {p.outTradeNo}
              {p.own ? "（订单本身）" : "（多收的款项）"} 可退 {formatYuan(p.leftFen)}
            </option>
          ))}
        </select>
      </label>
      <label>
        金额（元）
        <input name="amount" inputMode="decimal" size={8} required />
      </label>
      <label>
        原因
        <input name="reason" size={24} minLength={2} maxLength={80} required />
      </label>
      <button type="submit">退款</button>
      {message && (
        <span className={message.ok ? "ok" : "error"} role="alert">
          {message.text}
        </span>
      )}
    </form>
  );
}
