import Link from "next/link";

/** An order page that cannot show the order: a sentence and the ways on. */
export function OrderProblem(props: { text: string }) {
  return (
    <main>
      <section className="card" data-testid="order-problem">
        <p>{props.text}</p>
        <p className="links">
          <Link href="/orders">我的订单</Link> · <Link href="/">继续逛逛</Link>
        </p>
      </section>
    </main>
  );
}
