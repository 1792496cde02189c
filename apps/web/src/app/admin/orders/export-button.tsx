"use client";
import { useState } from "react";

import { adminMutate } from "../admin-client";

/** CSV of the filtered list (the export is an audited action, so it is a POST like any other). */
export function ExportButton(props: { filter: Record<string, string> }) {
  const [note, setNote] = useState<string>();
  return (
    <>
      <button
        type="button"
        className="secondary"
        onClick={() =>
          void adminMutate<{ csv: string; rows: number }>("exportOrders", props.filter).then((r) => {
            if (!r.ok) return setNote(r.message);
            const url = URL.createObjectURL(new Blob([r.data.csv], { type: "text/csv;charset=utf-8" }));
            const a = document.createElement("a");
            a.href = url;
            a.download = `orders-${new Date().toISOString().slice(0, 10)}.csv`;
            a.click();
            URL.revokeObjectURL(url);
            setNote(`已导出 ${r.data.rows} 笔`);
          })
        }
      >
        导出 CSV
      </button>
      {note && <span className="muted">{note}</span>}
    </>
  );
}
