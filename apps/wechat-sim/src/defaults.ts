// The sandbox merchant, apps and users every fresh simulator starts with. `.env.example` uses these values,
// so a fresh clone runs against the simulator with no configuration at all.
export const SANDBOX = {
  mchId: "1230000109",
  key: "192006250b4c09247ec02edce69f6a2d",
  signType: "MD5",
  officialAppId: "wxd930ea5d5a258f4f",
  officialSecret: "5f1c3e6a9b2d4c7e8f0a1b2c3d4e5f60",
  miniAppId: "wx2421b1c4370ec43b",
  miniSecret: "0a9b8c7d6e5f40312233445566778899",
  merchantName: "wxpay-stack 测试商户",
  /** API v3: the APIv3 key (32 bytes, used as is for AES-256-GCM), the merchant certificate serial, the public key id. */
  apiV3Key: "wxpaystackSandboxApiV3Key0123456",
  mchSerial: "5A1B2C3D4E5F60718293A4B5C6D7E8F901234567",
  publicKeyId: "PUB_KEY_ID_0112300001092026112900000000000001",
  platformSerial: "3C2B1A09F8E7D6C5B4A3928170615F4E3D2C1B0A",
} as const;

/** The sandbox key files (apps/wechat-sim/sandbox), relative to this package's root. */
export const SANDBOX_KEY_FILES = {
  mchKey: "sandbox/apiclient_key.pem",
  mchCert: "sandbox/apiclient_cert.pem",
  publicKey: "sandbox/pub_key.pem",
  publicKeyPrivate: "sandbox/pub_key_private.pem",
  platformKey: "sandbox/platform_key.pem",
  platformCert: "sandbox/platform_cert.pem",
} as const;

/** Hosts a merchant may start H5 payment from (Referer) and return to (redirect_url) unless configured. */
export const DEFAULT_H5_DOMAINS = ["localhost", "127.0.0.1"] as const;

/** Hosts an official account may use as OAuth redirect_uri and as JS-SDK page unless configured. */
export const DEFAULT_WEB_DOMAINS = ["localhost", "127.0.0.1"] as const;

export const DEFAULT_USERS = [
  { userId: "alice", nickname: "Alice 测试用户" },
  { userId: "bob", nickname: "Bob 测试用户" },
] as const;

/** WeChat's documented default daily quota for cgi-bin/token (2000 calls per appid per day). */
export const DEFAULT_DAILY_TOKEN_QUOTA = 2000;
