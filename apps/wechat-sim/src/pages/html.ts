// A minimal page shell in WeChat's look, shared by the simulator's pages.
export function esc(v: unknown): string {
  return String(v ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#ededed;color:#111}
.wrap{max-width:480px;margin:0 auto;padding:24px 16px}.card{background:#fff;border-radius:8px;padding:20px;margin-bottom:12px}
h1{font-size:18px;margin:0 0 12px}h2{font-size:16px;margin:16px 0 8px}.muted{color:#888;font-size:13px}
.amount{font-size:36px;font-weight:600;text-align:center;margin:12px 0}.center{text-align:center}
.btn{display:block;width:100%;border:0;border-radius:6px;padding:12px;font-size:16px;margin-top:10px;cursor:pointer;text-decoration:none;text-align:center}
.btn-primary{background:#07c160;color:#fff}.btn-default{background:#f2f2f2;color:#111}.btn-warn{background:#fff;color:#fa5151;border:1px solid #fa5151}
.icon{font-size:56px;text-align:center}.err{color:#fa5151}select{width:100%;padding:8px;font-size:15px}
table{border-collapse:collapse;width:100%;font-size:12px;background:#fff}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f7f7f7}.wide{max-width:none}pre{white-space:pre-wrap;word-break:break-all;margin:0;font-size:11px}
.ok{color:#07c160}.bad{color:#fa5151}
`;

export function page(opts: { title: string; body: string; wide?: boolean; head?: string }): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(opts.title)}</title><style>${STYLE}</style>${opts.head ?? ""}</head>
<body><div class="wrap${opts.wide ? " wide" : ""}">${opts.body}</div></body></html>`;
}

/** WeChat's error page: an icon, a title and one line of guidance. */
export function errorPage(title: string, message: string, extra = ""): string {
  return page({
    title,
    body: `<div class="card center" data-testid="wx-error"><div class="icon">⚠</div><h1>${esc(title)}</h1>
<p class="err" data-testid="wx-error-message">${esc(message)}</p>${extra}</div>`,
  });
}

export function yuan(fen: number): string {
  const cents = Math.abs(fen) % 100;
  return `${fen < 0 ? "-" : ""}${Math.floor(Math.abs(fen) / 100)}.${String(cents).padStart(2, "0")}`;
}

/** True when `host` is one of `domains` or a subdomain of one ("*" admits any). */
export function hostAllowed(host: string, domains: readonly string[]): boolean {
  const h = host.toLowerCase();
  return domains.some((d) => d === "*" || h === d.toLowerCase() || h.endsWith(`.${d.toLowerCase()}`));
}
