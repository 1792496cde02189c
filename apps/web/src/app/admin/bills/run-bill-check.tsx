"use client";
import { useState } from "react";

import { adminMutate } from "../admin-client";

export function RunBillCheck(props: { defaultDate: string }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        const billDate = String(new FormData(e.currentTarget).get("billDate") ?? "");
        void adminMutate("runBillCheck", { billDate }).then((r) => {
          setBusy(false);
          if (r.ok) window.location.reload();
          else setError(r.message);
        });
      }}
    >
      <label>
        账单日（yyyyMMdd）
        <input name="billDate" defaultValue={props.defaultDate} pattern="20\d{6}" size={10} required />
      </label>
      <button type="submit" disabled={busy}>
        重新对账
      </button>
      {error && <span className="error">{error}</span>}
    </form>
  );
}
