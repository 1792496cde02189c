import type { ReactNode } from "react";
import { renderSVG } from "uqr";

import type { RouterOutputs } from "@wxpay/api";

import { formatBeijingDateTime } from "~/lib/datetime";
import { formatYuan } from "~/lib/money";

import styles from "./native-pay.module.css";
import { NativeWait } from "./native-wait";

/**
 * Desktop browsers pay by WeChat Pay Native: the order's code_url as a QR code (rendered here, on the server, so the
 * page needs no QR script), scanned with WeChat's 扫一扫 on the shopper's phone. Whether it was paid is only ever
 * what orderStatus says; NativeWait asks it and moves on to the result page.
 */
export function NativePay(props: {
  order: RouterOutputs["orderStatus"];
  codeUrl: string;
  /** When the code stops being payable: the order's time_expire, or 2 hours after WeChat issued it if sooner. */
  validUntil: string;
  /** The second choice: continue on a phone. */
  children: ReactNode;
}) {
  const { order, codeUrl, validUntil } = props;
  // A larger error-correction level makes the code denser; M keeps the modules big at this size.
  const svg = renderSVG(codeUrl, { border: 2, ecc: "M" });
  return (
    <section className={`card ${styles.native}`} data-testid="native-pay">
      <h2 className={styles.title}>微信扫码支付</h2>
      <p className={styles.amount} data-testid="native-amount">
        {formatYuan(order.amountFen)}
      </p>
      <NativeWait initial={order} validUntil={validUntil}>
        {/* The SVG is generated from code_url by the QR encoder: shapes only, no text of ours inside it. */}
        <div
          className={styles.qr}
          role="img"
          aria-label="微信支付二维码"
          data-testid="native-qr"
          data-code-url={codeUrl}
          dangerouslySetInnerHTML={{ __html: svg }}
        />
      </NativeWait>
      <p className={styles.hint}>请打开手机微信，使用「扫一扫」扫描二维码完成支付</p>
      <p className={styles.validity} data-testid="native-validity">
        请在 {formatBeijingDateTime(validUntil)} 前完成支付。二维码最长 2
        小时内有效，过期后刷新本页即可获取新的二维码。
      </p>
      <details className={styles.other} data-testid="other-way">
        <summary>换个方式：在手机上继续</summary>
        {props.children}
      </details>
    </section>
  );
}
