// WeChat Pay API v3 payment notify: signed headers + AES-GCM resource in, 204 or {"code":"FAIL"} out
// (src/server/notify-endpoints.ts).
import { notifyRoute } from "~/server/web-route";

export const POST = notifyRoute("/api/wechat/v3/pay/notify");
