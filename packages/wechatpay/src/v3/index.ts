// WeChat Pay API v3: JSON over HTTPS, requests signed with the merchant RSA key, answers and notifies
// verified with the WeChat Pay public key or platform certificates, resources sealed with AES-GCM.
//
// One merchant, wired once (mode follows the keys given: publicKey → "public-key", certificates → "certificate",
// both → "switching"):
//
//   const m = createV3Merchant({ mchId, privateKey, serialNo, apiV3Key, appIds,
//     publicKey: { id: "PUB_KEY_ID_…", pem }, certificates: cachedCerts, onCertificates: cache, baseUrl });
//   const { prepayId } = await m.client.jsapiPrepay({ appId, description, outTradeNo, amount: { totalFen },
//     notifyUrl, payerOpenid });
//   const payParams = m.jsapiPayParams(appId, prepayId);          // or m.miniProgramPayParams(…)
//   const r = await m.parsePayNotifyRefreshing({ headers, body: rawBytes });
//   reply(r.ok ? v3NotifyReply(true) : v3NotifyReply(false, r.rejection.code));
//
// The parts stand alone too: crypto primitives, WechatpayVerifier, CertificateStore, createV3Client,
// parseV3PayNotify / parseV3RefundNotify, v3JsapiPayParams, remedyForV3.
export * from "./crypto";
export * from "./verifier";
export * from "./certificates";
export * from "./errors";
export * from "./fields";
export * from "./models";
export * from "./client";
export * from "./notify";
export * from "./pay-params";
export * from "./merchant";
export * from "../shared/errors";
export * from "../shared/remedy";
