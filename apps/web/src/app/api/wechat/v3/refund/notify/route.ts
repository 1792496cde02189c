// WeChat Pay API v3 refund notify (REFUND.SUCCESS / ABNORMAL / CLOSED): verified, decrypted, checked against our
// refund row, applied once; 204 only after commit (src/server/notify-endpoints.ts).
import { notifyRoute } from "~/server/web-route";

export const POST = notifyRoute("/api/wechat/v3/refund/notify");
