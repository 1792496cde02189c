// The WeChat Pay protocol: the only place in the project that knows XML, JSON wire names, signatures and
// WeChat's field names. Two rooms: v2 (XML, MD5/HMAC) is exported here as it always was; v3 (JSON, RSA,
// AES-GCM) lives at "@wxpay/wechatpay/v3". What both share (errors, HTTP, remedies) is exported from both.
export * from "./shared/errors";
export * from "./shared/remedy";
export * from "./v2/index";
