// WeChat Pay API v3: JSON over HTTPS, requests signed with the merchant RSA key, answers and notifies
// verified with the WeChat Pay public key or platform certificates, resources sealed with AES-GCM.
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
