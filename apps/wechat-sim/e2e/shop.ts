// A tiny merchant site for the browser tests: plain pages that use the simulator the way a shop would
// (a link to mweb_url, a JSAPI page with the real weixin-js-sdk bundle and the simulator's bridge script).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { replyXml } from "@wxpay/wechatpay";

const require = createRequire(import.meta.url);
// weixin-js-sdk is a CommonJS UMD bundle: give it a `module` to fill, then expose it as window.wx.
const SDK = `var module = { exports: {} };\n${readFileSync(require.resolve("weixin-js-sdk"), "utf8")}\nwindow.wx = module.exports;\n`;

export type ShopData = {
  mwebUrl?: string;
  config?: { appId: string; timestamp: string; nonceStr: string; signature: string; jsApiList: string[] };
  chooseWXPay?: Record<string, string>;
  bridgePay?: Record<string, string>;
};

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

export async function startShop(simUrl: string) {
  const data: ShopData = {};
  const notifies: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://shop.invalid");
    const html = (body: string) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(
        `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head><body>${body}</body></html>`,
      );
    };
    if (url.pathname === "/sdk.js") {
      res.writeHead(200, { "content-type": "application/javascript" });
      return void res.end(SDK);
    }
    if (url.pathname === "/notify" && req.method === "POST") {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        notifies.push(Buffer.concat(chunks).toString("utf8"));
        res.writeHead(200, { "content-type": "text/xml" });
        res.end(replyXml(true));
      });
      return;
    }
    if (url.pathname === "/checkout")
      return html(`<h1>结算</h1><a id="go" href="${esc(data.mwebUrl ?? "")}">微信支付</a>`);
    if (url.pathname === "/result")
      return html(`<h1 id="result">支付结果确认中</h1><p id="query">${esc(url.search)}</p>`);
    if (url.pathname === "/cb")
      return html(
        `<p id="code">${esc(url.searchParams.get("code") ?? "")}</p><p id="state">${esc(url.searchParams.get("state") ?? "")}</p>`,
      );
    if (url.pathname === "/jsapi/") {
      return html(`<h1>JSAPI</h1>
<button id="choose">chooseWXPay</button><button id="raw">getBrandWCPayRequest</button>
<script src="${simUrl}/jsbridge.js"></script>
<script src="/sdk.js"></script>
<script>
  var data = ${JSON.stringify(data).replace(/</g, "\\u003c")};
  window.results = [];
  wx.config(Object.assign({ debug: false }, data.config));
  wx.ready(function () { results.push("ready"); });
  wx.error(function (e) { results.push("error " + e.errMsg); });
  function done(r) { results.push(r.errMsg); }
  document.getElementById("choose").onclick = function () {
    wx.chooseWXPay(Object.assign({}, data.chooseWXPay, { success: done, cancel: done, fail: done }));
  };
  document.getElementById("raw").onclick = function () {
    WeixinJSBridge.invoke("getBrandWCPayRequest", data.bridgePay, function (r) { results.push(r.err_msg); });
  };
</script>`);
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    data,
    notifies,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
