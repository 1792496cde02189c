// The WeChat Pay v2 protocol: the only place in the project that knows XML, signatures and WeChat's field names.
export * from "./errors";
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
