// WeChat's payment notify: raw XML in, WeChat's XML reply out (src/server/notify-endpoints.ts).
import { notifyRoute } from "~/server/web-route";

export const POST = notifyRoute("/api/wechat/pay/notify");
