import type { TOrderStatus } from "~/lib/order-status";
import { statusText } from "~/lib/order-status";

export function StatusBadge(props: { status: TOrderStatus }) {
  const t = statusText(props.status);
  return (
    <span className={`badge badge-${t.tone}`} data-status={props.status}>
      {t.label}
    </span>
  );
}
