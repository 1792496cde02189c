// How the pay API answers. WeChat's envelope: return_code is the communication flag (FAIL answers carry
// only return_msg and no signature); result_code is the business flag, in a response signed with the
// merchant's key and the request's sign_type.
import { buildXml, sign } from "@wxpay/wechatpay";

import { newNonce } from "../ids";
import type { Merchant, SignType } from "../state";

export type PayAnswer = { xml: string };

export function returnFail(returnMsg: string): PayAnswer {
  return { xml: buildXml({ return_code: "FAIL", return_msg: returnMsg }) };
}

export type VerifiedRequest = {
  fields: Record<string, string>;
  merchant: Merchant;
  appId: string;
  signType: SignType;
};

function signed(req: VerifiedRequest, fields: Record<string, string | number | undefined>): PayAnswer {
  const out: Record<string, string | number> = {};
  const all = {
    return_code: "SUCCESS",
    return_msg: "OK",
    appid: req.appId,
    mch_id: req.merchant.mchId,
    nonce_str: newNonce(),
    ...fields,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined && v !== "") out[k] = v;
  out.sign = sign(out, req.merchant.key, req.signType);
  return { xml: buildXml(out) };
}

export function resultSuccess(
  req: VerifiedRequest,
  fields: Record<string, string | number | undefined>,
): PayAnswer {
  return signed(req, { result_code: "SUCCESS", ...fields });
}

export function resultFail(
  req: VerifiedRequest,
  errCode: string,
  errCodeDes: string,
  extra: Record<string, string | number | undefined> = {},
): PayAnswer {
  return signed(req, { result_code: "FAIL", err_code: errCode, err_code_des: errCodeDes, ...extra });
}
