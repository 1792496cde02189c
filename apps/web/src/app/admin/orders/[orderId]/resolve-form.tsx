"use client";
import { useState } from "react";

import { adminMutate } from "../../admin-client";

export function ResolveForm(props: { orderId: string }) {
  const [error, setError] = useState<string>();
  return (
    <form
      className="inline card"
      data-testid="resolve-form"
      onSubmit={(e) => {
        e.preventDefault();
        const note = String(new FormData(e.currentTarget).get("note") ?? "");
        void adminMutate("resolveReview", { orderId: props.orderId, note }).then((r) =>
          r.ok ? window.location.reload() : setError(r.message),
        );
      }}
    >
      <label>
        核对说明（必填）
        <textarea name="note" rows={2} cols={50} minLength={2} maxLength={500} required />
      </label>
      <button type="submit">标记为已核对</button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
