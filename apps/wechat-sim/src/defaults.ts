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
