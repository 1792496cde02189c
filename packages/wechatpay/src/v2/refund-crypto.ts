// Refund notify req_info. WeChat: base64-decode, then AES-256-ECB (PKCS7) with key* = md5(API key) as 32
// lower-case hex characters — the 32 ASCII bytes of that string, not the 16 raw digest bytes.
import { createCipheriv, createDecipheriv, createHash } from "node:crypto";

import { WechatPayError } from "../shared/errors";

function aesKey(apiKey: string): Buffer {
  if (!apiKey) throw new WechatPayError("BAD_KEY", "API key is empty");
  return Buffer.from(createHash("md5").update(apiKey, "utf8").digest("hex"), "latin1");
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAX_REQ_INFO = 64 * 1024;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decrypts req_info to its `<root>…</root>` XML; throws WechatPayError("BAD_REQ_INFO") for anything that does not decrypt. */
export function decryptReqInfo(reqInfoBase64: string, apiKey: string): string {
  const b64 = typeof reqInfoBase64 === "string" ? reqInfoBase64.replace(/[\r\n]/g, "") : "";
  if (b64 === "" || b64.length > MAX_REQ_INFO || !BASE64.test(b64)) {
    throw new WechatPayError("BAD_REQ_INFO", "req_info is not base64");
  }
  const cipherText = Buffer.from(b64, "base64");
  if (cipherText.length === 0 || cipherText.length % 16 !== 0) {
    throw new WechatPayError("BAD_REQ_INFO", "req_info is not a whole number of AES blocks");
  }
  try {
    const d = createDecipheriv("aes-256-ecb", aesKey(apiKey), null);
    return utf8.decode(Buffer.concat([d.update(cipherText), d.final()]));
  } catch (cause) {
    if (cause instanceof WechatPayError) throw cause;
    throw new WechatPayError("BAD_REQ_INFO", "req_info does not decrypt with this key", { cause });
  }
}

/** The inverse, for the simulator and tests. */
export function encryptReqInfo(xml: string, apiKey: string): string {
  const c = createCipheriv("aes-256-ecb", aesKey(apiKey), null);
  return Buffer.concat([c.update(xml, "utf8"), c.final()]).toString("base64");
}
