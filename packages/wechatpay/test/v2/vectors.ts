// The package's own copy of shared/reference/vectors.json, so a clone of the project alone passes.
import { readFileSync } from "node:fs";

type SignVector = {
  name: string;
  params: Record<string, string>;
  key: string;
  signType: "MD5" | "HMAC-SHA256";
  expected: string;
};
type JssdkVector = {
  name: string;
  noncestr: string;
  jsapi_ticket: string;
  timestamp: string;
  url: string;
  expected: string;
};
type RefundVector = { name: string; apiKey: string; aesKeyHex: string; reqInfo: string; plainXml: string };

export type Vectors = {
  sign: SignVector[];
  paySign: SignVector[];
  jssdk: JssdkVector[];
  notifySample: { xml: string };
  refundNotifySample: { plainXml: string };
  refundReqInfo: RefundVector[];
  notifyRetry: { intervalsSeconds: number[]; totalSeconds: number };
};

export const vectors = JSON.parse(
  readFileSync(new URL("../fixtures/vectors.json", import.meta.url), "utf8"),
) as Vectors;
