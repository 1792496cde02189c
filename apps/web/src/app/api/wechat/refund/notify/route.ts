// WeChat's refund result notify: encrypted req_info in, WeChat's XML reply out (src/server/notify-endpoints.ts).
import { notifyRoute } from "~/server/web-route";

export const POST = notifyRoute("/api/wechat/refund/notify");
