import type { RouterOutputs } from "@wxpay/api";

import { formatYuan } from "~/lib/money";

type TOrderView = RouterOutputs["orderStatus"];

/** The order's lines and total, as the server priced them. */
export function OrderItems(props: { order: TOrderView }) {
  return (
    <div className="card">
      <ul className="order-items" data-testid="order-items">
        {props.order.items.map((item) => (
          <li key={item.sku}>
            <span className="item-title">{item.title}</span>
            <span className="item-qty">×{item.qty}</span>
            <span className="item-price">{formatYuan(item.priceFen * item.qty)}</span>
          </li>
        ))}
      </ul>
      <p className="order-total">
        合计 <strong data-testid="order-total">{formatYuan(props.order.amountFen)}</strong>
      </p>
    </div>
  );
}
