// Charts drawn on the server as plain SVG: no chart library and no JavaScript sent to the browser for them.
export function BarChart(props: {
  title: string;
  data: { label: string; value: number }[];
  format: (v: number) => string;
  testId: string;
}) {
  const w = 560;
  const h = 160;
  const pad = 24;
  const max = Math.max(1, ...props.data.map((d) => d.value));
  const bw = (w - pad * 2) / Math.max(1, props.data.length);
  return (
    <figure className="card" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <svg
        viewBox={`0 0 ${w} ${h + 20}`}
        width="100%"
        style={{ maxHeight: 200 }}
        role="img"
        aria-label={props.title}
      >
        <line x1={pad} y1={h} x2={w - pad} y2={h} stroke="#d0d7de" />
        {props.data.map((d, i) => {
          const bh = Math.round(((h - pad) * d.value) / max);
          const x = pad + i * bw;
          return (
            <g key={d.label}>
              <rect x={x + 2} y={h - bh} width={Math.max(1, bw - 4)} height={bh} fill="#1f883d">
                <title>{`${d.label}：${props.format(d.value)}`}</title>
              </rect>
              {d.value > 0 && (
                <text x={x + bw / 2} y={h - bh - 3} fontSize="9" textAnchor="middle" fill="#57606a">
                  {props.format(d.value)}
                </text>
              )}
              <text x={x + bw / 2} y={h + 14} fontSize="9" textAnchor="middle" fill="#57606a">
                {d.label.slice(5)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
