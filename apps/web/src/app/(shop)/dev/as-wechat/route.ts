// Development "as WeChat" mode switch: `/dev/as-wechat?on=1` (or `on=0`) sets a cookie and goes back to the
// page the developer was on (`to`, else the Referer's path). Exists only in development against the simulator.
import { NextResponse } from "next/server";

import { env } from "~/env";
import { AS_WECHAT_COOKIE, asWechatModeAvailable, safeReturnPath } from "~/lib/as-wechat";

export function GET(request: Request) {
  if (!asWechatModeAvailable(env())) return new NextResponse("Not Found", { status: 404 });
  const url = new URL(request.url);
  const on = url.searchParams.get("on") !== "0";
  let to = url.searchParams.get("to");
  if (!to) {
    const referer = request.headers.get("referer");
    const appOrigin = new URL(env().APP_URL).origin;
    if (referer && URL.canParse(referer) && new URL(referer).origin === appOrigin) {
      const r = new URL(referer);
      to = `${r.pathname}${r.search}`;
    }
  }
  const res = new NextResponse(null, { status: 303, headers: { location: safeReturnPath(to) } });
  if (on) res.cookies.set(AS_WECHAT_COOKIE, "1", { path: "/", sameSite: "lax", httpOnly: true });
  else res.cookies.delete(AS_WECHAT_COOKIE);
  return res;
}
