// WeChat Pay API v2: XML, MD5/HMAC-SHA256 signatures, the v2 pay and platform clients.
export * from "./sign";
export * from "./xml";
export * from "./fields";
export * from "./pay-params";
export * from "./jssdk";
export * from "./notify";
export * from "./refund-crypto";
export * from "./pay-client";
export * from "./platform-client";
export * from "./bill";
export * from "./remedies";
