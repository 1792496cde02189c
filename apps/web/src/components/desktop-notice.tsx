import { renderSVG } from "uqr";

/**
 * A desktop browser cannot pay: H5 (MWEB) is for mobile browsers and JSAPI for WeChat's own browser. The page
 * says so and shows the link, as text and as a QR code (rendered on the server: no script for it).
 */
export function DesktopNotice(props: { href: string; title: string; text: string }) {
  const svg = renderSVG(props.href, { border: 2, ecc: "M" });
  return (
    <section className="card desktop-notice" data-testid="desktop-notice">
      <h2>{props.title}</h2>
      <p>{props.text}</p>
      {/* The SVG is generated from the URL by the QR encoder: shapes only, no text of ours inside it. */}
      <div className="qr" role="img" aria-label="订单链接二维码" dangerouslySetInnerHTML={{ __html: svg }} />
      <p className="link" data-testid="order-link">
        <a href={props.href}>{props.href}</a>
      </p>
    </section>
  );
}
