import Link from "next/link";

// "same-origin": the link's token never leaves in a Referer, and the form still sends this page's Origin.
export const metadata = { title: "在这台设备上继续订单 · 茶与器", referrer: "same-origin" as const };

/**
 * Where a handoff link lands when it cannot simply continue: this browser already belongs to another shopper
 * (ask before switching), or the link is used up or expired (say so, and how to get a new one).
 */
export default async function HandoffPage(props: {
  searchParams: Promise<{ t?: string; invalid?: string }>;
}) {
  const { t } = await props.searchParams;
  if (!t || !/^[0-9A-Za-z]{32}$/.test(t)) {
    return (
      <main>
        <section className="card" data-testid="handoff-invalid">
          <h1>这个链接已经失效</h1>
          <p>为了保护你的订单，电脑上显示的二维码和链接只能打开一次，并且 2 分钟后失效。</p>
          <p>请回到电脑上刷新订单页面，用手机重新扫描新的二维码。</p>
          <p className="links">
            <Link href="/orders">我的订单</Link> · <Link href="/">返回首页</Link>
          </p>
        </section>
      </main>
    );
  }
  return (
    <main>
      <section className="card" data-testid="handoff-confirm">
        <h1>要在这台设备上继续电脑上的订单吗？</h1>
        <p>
          这台设备上已经有你在本店的购物记录。继续后，这台设备将切换为电脑上的购物身份来支付那笔订单，本机原来的订单将不再显示在「我的订单」里。
        </p>
        <p>
          <strong>只有当这个二维码是你自己在电脑上打开的，才选择继续。</strong>
          如果这个链接是别人发给你的，请选择「保留本机的订单」。
        </p>
        <form method="post" action="/api/orders/handoff">
          <input type="hidden" name="t" value={t} />
          <button type="submit" className="btn btn-primary" data-testid="handoff-switch">
            继续，切换到电脑上的订单
          </button>
        </form>
        <Link href="/orders" className="btn btn-secondary" data-testid="handoff-keep">
          保留本机的订单
        </Link>
      </section>
    </main>
  );
}
