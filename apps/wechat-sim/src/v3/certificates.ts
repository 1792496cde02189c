// GET /v3/certificates — the platform certificates, each AEAD-encrypted with the merchant's APIv3 key
// (associated_data "certificate"). A merchant on the WeChat Pay public key has none: 404 RESOURCE_NOT_EXISTS with
// WeChat's own text.
import { randomBytes } from "node:crypto";

import { encryptAeadAesGcm } from "@wxpay/wechatpay/v3";

import type { SimContext } from "../context";
import type { V3Call } from "./call";
import { wechatKeys } from "./keys";
import { ok, v3Error, type V3Reply } from "./wire";

export const NO_PLATFORM_CERTIFICATE =
  "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥。可查看指引https://pay.weixin.qq.com/docs/merchant/products/platform-certificate/wxp-pub-key-guide.html";

export function certificates(_ctx: SimContext, call: V3Call): V3Reply {
  if (call.merchant.v3.signingMode === "public-key")
    return v3Error(404, "RESOURCE_NOT_EXISTS", NO_PLATFORM_CERTIFICATE);
  const keys = wechatKeys();
  const nonce = randomBytes(6).toString("hex");
  return ok({
    data: [
      {
        serial_no: keys.platformSerial,
        effective_time: keys.platformEffective,
        expire_time: keys.platformExpire,
        encrypt_certificate: {
          algorithm: "AEAD_AES_256_GCM",
          nonce,
          associated_data: "certificate",
          ciphertext: encryptAeadAesGcm({
            key: call.merchant.v3.apiV3Key,
            nonce,
            associatedData: "certificate",
            plaintext: keys.platformCertPem,
          }),
        },
      },
    ],
  });
}
