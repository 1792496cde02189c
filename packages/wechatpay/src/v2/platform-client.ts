// WeChat platform APIs (reference §5.4–§5.6, §6, §7.1): access_token (classic and stable), jsapi_ticket,
// web OAuth code exchange and the mini-program jscode2session. JSON over HTTPS with errcode/errmsg errors.
// Secrets and tokens travel in query strings, so no error or message ever carries a URL's query.
import { WechatPayError } from "../shared/errors";
import { joinUrl, requestViaFetch, statusError } from "../shared/http";
import type { TFetch } from "../shared/http";
import { WechatPayTransportError } from "../shared/errors";

export type TPlatformClientConfig = {
  /** https://api.weixin.qq.com in production. */
  baseUrl: string;
  /** https://open.weixin.qq.com in production (OAuth authorize page). */
  openBaseUrl?: string;
  fetch?: TFetch;
  /** Per-call timeout, default 10 s. */
  timeoutMs?: number;
  /** Clock used to turn expires_in into an absolute expiry. */
  now?: () => Date;
};

export type TPlatformApi = "token" | "stable_token" | "getticket" | "oauth2_access_token" | "jscode2session";

/**
 * - TOKEN_INVALID (40001 / 40014 / 42001): the access_token is invalid, expired or superseded by another
 *   refresh; refresh it through the central cache and retry once.
 * - CODE_INVALID (40029 / 40163): the OAuth or login code is wrong, expired (5 min) or already used.
 * - QUOTA (45009): daily quota reached; alert (resets are limited to 10 a month).
 * - RATE_LIMITED (45011): per-minute frequency limit; retry later.
 * - BAD_SECRET (40125, 40243, and 40001 on the token endpoints): AppSecret wrong or frozen.
 * - BAD_APPID (40013), IP_NOT_WHITELISTED (40164), USER_BLOCKED (40226 high-risk user),
 *   UNAUTHORIZED (48001), BAD_REQUEST (missing or malformed parameters), SYSTEM_BUSY (-1, retry).
 */
export type TPlatformErrorKind =
  | "TOKEN_INVALID"
  | "CODE_INVALID"
  | "QUOTA"
  | "RATE_LIMITED"
  | "BAD_SECRET"
  | "BAD_APPID"
  | "IP_NOT_WHITELISTED"
  | "USER_BLOCKED"
  | "UNAUTHORIZED"
  | "BAD_REQUEST"
  | "SYSTEM_BUSY"
  | "UNKNOWN";

const KIND_BY_ERRCODE: Readonly<Record<number, TPlatformErrorKind>> = {
  [-1]: "SYSTEM_BUSY",
  40001: "TOKEN_INVALID",
  40014: "TOKEN_INVALID",
  42001: "TOKEN_INVALID",
  40029: "CODE_INVALID",
  40163: "CODE_INVALID",
  45009: "QUOTA",
  45011: "RATE_LIMITED",
  40125: "BAD_SECRET",
  40243: "BAD_SECRET",
  40013: "BAD_APPID",
  40164: "IP_NOT_WHITELISTED",
  40226: "USER_BLOCKED",
  48001: "UNAUTHORIZED",
  40002: "BAD_REQUEST",
  40066: "BAD_REQUEST",
  41002: "BAD_REQUEST",
  41004: "BAD_REQUEST",
  41008: "BAD_REQUEST",
};

const REMEDY: Readonly<Record<TPlatformErrorKind, string>> = {
  TOKEN_INVALID: "refresh the access_token through the central cache, then retry once",
  CODE_INVALID: "the code is single-use and valid 5 minutes: restart the login / authorisation",
  QUOTA: "daily API quota reached: alert; the quota resets at midnight (or via clear_quota)",
  RATE_LIMITED: "frequency limit: retry after a pause",
  BAD_SECRET: "check the AppSecret (wrong, reset or frozen)",
  BAD_APPID: "check the appid",
  IP_NOT_WHITELISTED: "add the server's IP to the official account's whitelist",
  USER_BLOCKED: "WeChat blocked this user as high-risk",
  UNAUTHORIZED: "the account lacks permission for this API",
  BAD_REQUEST: "fix the request parameters",
  SYSTEM_BUSY: "WeChat is busy: retry shortly",
  UNKNOWN: "unknown errcode: see errmsg",
};

/** The kind for `errcode` returned by `api`. */
export function platformErrorKind(api: TPlatformApi, errcode: number): TPlatformErrorKind {
  // WeChat: on the token endpoints 40001 means "获取 access_token 时 AppSecret 错误" — no token is involved yet.
  if (errcode === 40001 && (api === "token" || api === "stable_token")) return "BAD_SECRET";
  return Object.hasOwn(KIND_BY_ERRCODE, errcode)
    ? (KIND_BY_ERRCODE[errcode] as TPlatformErrorKind)
    : "UNKNOWN";
}

export class WechatPlatformError extends WechatPayError {
  declare readonly code: TPlatformErrorKind;
  readonly api: TPlatformApi;
  readonly errcode: number;
  readonly errmsg: string;
  readonly kind: TPlatformErrorKind;
  /** True when the same call may succeed if repeated after a pause (SYSTEM_BUSY, RATE_LIMITED). */
  readonly retryable: boolean;

  constructor(api: TPlatformApi, errcode: number, errmsg: string) {
    const kind = platformErrorKind(api, errcode);
    super(kind, `${api}: errcode ${errcode}${errmsg ? ` (${errmsg})` : ""}`, {
      remedy: REMEDY[kind],
      details: { api, errcode, errmsg },
    });
    this.api = api;
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.kind = kind;
    this.retryable = kind === "SYSTEM_BUSY" || kind === "RATE_LIMITED";
  }
}

export type TAccessToken = { accessToken: string; expiresIn: number; expiresAt: Date };
export type TJsapiTicket = { ticket: string; expiresIn: number; expiresAt: Date };
export type TOauthAccessToken = {
  accessToken: string;
  expiresIn: number;
  expiresAt: Date;
  refreshToken: string;
  openid: string;
  scope: string;
  unionid?: string;
  /** WeChat: is_snapshotuser=1 marks a 快照页 virtual user — its openid is not a real payer. */
  isSnapshotUser: boolean;
};
export type TCode2Session = { openid: string; sessionKey: string; unionid?: string };
export type TOauthScope = "snsapi_base" | "snsapi_userinfo";

export type PlatformClient = {
  getAccessToken(i: { appId: string; secret: string }, opts?: { timeoutMs?: number }): Promise<TAccessToken>;
  getStableAccessToken(
    i: { appId: string; secret: string; forceRefresh?: boolean },
    opts?: { timeoutMs?: number },
  ): Promise<TAccessToken>;
  getJsapiTicket(i: { accessToken: string }, opts?: { timeoutMs?: number }): Promise<TJsapiTicket>;
  oauthAccessToken(
    i: { appId: string; secret: string; code: string },
    opts?: { timeoutMs?: number },
  ): Promise<TOauthAccessToken>;
  jscode2session(
    i: { appId: string; secret: string; code: string },
    opts?: { timeoutMs?: number },
  ): Promise<TCode2Session>;
  oauthAuthorizeUrl(i: { appId: string; redirectUri: string; scope: TOauthScope; state: string }): string;
};

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_JSON_BYTES = 64 * 1024;

function badInput(field: string, message: string): WechatPayError {
  return new WechatPayError("BAD_INPUT", `${field}: ${message}`, {
    remedy: "FIX_REQUEST",
    details: { field },
  });
}

function nonEmpty(field: string, v: unknown, max = 512): string {
  if (typeof v !== "string" || v === "" || v.length > max)
    throw badInput(field, "must be a non-empty string");
  return v;
}

type TJson = Record<string, unknown>;

export function createPlatformClient(config: TPlatformClientConfig): PlatformClient {
  for (const [name, url] of [
    ["baseUrl", config.baseUrl],
    ["openBaseUrl", config.openBaseUrl ?? "https://open.weixin.qq.com"],
  ] as const) {
    let ok: boolean;
    try {
      const u = new URL(url);
      ok = u.protocol === "https:" || u.protocol === "http:";
    } catch {
      ok = false;
    }
    if (!ok)
      throw new WechatPayError("BAD_CONFIG", `${name} must be an absolute http(s) URL`, {
        remedy: "FIX_CONFIG",
      });
  }
  const fetchImpl: TFetch = config.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const openBaseUrl = config.openBaseUrl ?? "https://open.weixin.qq.com";
  const now = config.now ?? (() => new Date());

  async function call(
    api: TPlatformApi,
    path: string,
    query: Record<string, string>,
    opts: { timeoutMs?: number } | undefined,
    jsonBody?: TJson,
  ): Promise<TJson> {
    const url =
      joinUrl(config.baseUrl, path) +
      (Object.keys(query).length ? "?" + new URLSearchParams(query).toString() : "");
    const res = await requestViaFetch(fetchImpl, {
      url,
      method: jsonBody === undefined ? "GET" : "POST",
      ...(jsonBody === undefined ? {} : { body: JSON.stringify(jsonBody), contentType: "application/json" }),
      timeoutMs: opts?.timeoutMs ?? config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBytes: MAX_JSON_BYTES,
    });
    if (res.status < 200 || res.status > 299) throw statusError(url, res.status);
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(res.bytes));
    } catch (err) {
      throw bad(path, "reply is not JSON", err);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw bad(path, "reply is not a JSON object");
    const json = parsed as TJson;
    const errcode = json.errcode;
    // WeChat: errors are {"errcode":N,"errmsg":"…"}; getticket also says errcode 0 on success.
    if (errcode !== undefined && errcode !== 0) {
      if (typeof errcode !== "number" || !Number.isInteger(errcode))
        throw bad(path, "errcode is not an integer");
      throw new WechatPlatformError(api, errcode, typeof json.errmsg === "string" ? json.errmsg : "");
    }
    return json;
  }

  function bad(path: string, message: string, cause?: unknown): WechatPayTransportError {
    return new WechatPayTransportError("BAD_RESPONSE", `/${path}: ${message}`, {
      path: "/" + path,
      remedy: "RETRY_SAME",
      retryable: true,
      cause,
    });
  }

  function str(path: string, json: TJson, name: string): string {
    const v = json[name];
    if (typeof v !== "string" || v === "") throw bad(path, `reply lacks ${name}`);
    return v;
  }

  function expiry(path: string, json: TJson): { expiresIn: number; expiresAt: Date } {
    const v = json.expires_in;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0)
      throw bad(path, "expires_in is not a positive integer");
    return { expiresIn: v, expiresAt: new Date(now().getTime() + v * 1000) };
  }

  async function token(path: string, json: Promise<TJson>): Promise<TAccessToken> {
    const j = await json;
    return { accessToken: str(path, j, "access_token"), ...expiry(path, j) };
  }

  return {
    getAccessToken({ appId, secret }, opts) {
      const path = "cgi-bin/token";
      const q = {
        grant_type: "client_credential",
        appid: nonEmpty("appId", appId, 64),
        secret: nonEmpty("secret", secret, 128),
      };
      // WeChat: each call invalidates the previous token (after a 5-minute overlap) — call it from one place.
      return token(path, call("token", path, q, opts));
    },
    getStableAccessToken({ appId, secret, forceRefresh }, opts) {
      const path = "cgi-bin/stable_token";
      const body = {
        grant_type: "client_credential",
        appid: nonEmpty("appId", appId, 64),
        secret: nonEmpty("secret", secret, 128),
        // WeChat: force_refresh is limited to 20 a day, 30 s apart; normal mode returns the live token.
        force_refresh: forceRefresh === true,
      };
      return token(path, call("stable_token", path, {}, opts, body));
    },
    async getJsapiTicket({ accessToken }, opts) {
      const path = "cgi-bin/ticket/getticket";
      const j = await call(
        "getticket",
        path,
        { access_token: nonEmpty("accessToken", accessToken), type: "jsapi" },
        opts,
      );
      return { ticket: str(path, j, "ticket"), ...expiry(path, j) };
    },
    async oauthAccessToken({ appId, secret, code }, opts) {
      const path = "sns/oauth2/access_token";
      const q = {
        appid: nonEmpty("appId", appId, 64),
        secret: nonEmpty("secret", secret, 128),
        code: nonEmpty("code", code),
        grant_type: "authorization_code",
      };
      const j = await call("oauth2_access_token", path, q, opts);
      const out: TOauthAccessToken = {
        accessToken: str(path, j, "access_token"),
        ...expiry(path, j),
        refreshToken: typeof j.refresh_token === "string" ? j.refresh_token : "",
        openid: str(path, j, "openid"),
        scope: typeof j.scope === "string" ? j.scope : "",
        isSnapshotUser: j.is_snapshotuser === 1 || j.is_snapshotuser === "1",
      };
      if (typeof j.unionid === "string" && j.unionid !== "") out.unionid = j.unionid;
      return out;
    },
    async jscode2session({ appId, secret, code }, opts) {
      // WeChat: the path is lower-case jscode2session (jsCode2Session answers 40066 invalid url).
      const path = "sns/jscode2session";
      const q = {
        appid: nonEmpty("appId", appId, 64),
        secret: nonEmpty("secret", secret, 128),
        js_code: nonEmpty("code", code),
        grant_type: "authorization_code",
      };
      const j = await call("jscode2session", path, q, opts);
      const out: TCode2Session = { openid: str(path, j, "openid"), sessionKey: str(path, j, "session_key") };
      if (typeof j.unionid === "string" && j.unionid !== "") out.unionid = j.unionid;
      return out;
    },
    oauthAuthorizeUrl({ appId, redirectUri, scope, state }) {
      nonEmpty("appId", appId, 64);
      try {
        const u = new URL(redirectUri);
        if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("protocol");
      } catch {
        throw badInput("redirectUri", "must be an absolute http(s) URL");
      }
      if (scope !== "snsapi_base" && scope !== "snsapi_userinfo")
        throw badInput("scope", "must be snsapi_base or snsapi_userinfo");
      // WeChat: state is a-zA-Z0-9, at most 128 bytes.
      if (typeof state !== "string" || !/^[A-Za-z0-9]{0,128}$/.test(state))
        throw badInput("state", "must be [A-Za-z0-9]{0,128}");
      // WeChat checks the parameters in this order and requires the #wechat_redirect fragment;
      // redirect_uri must be urlEncoded.
      return (
        joinUrl(openBaseUrl, "connect/oauth2/authorize") +
        `?appid=${encodeURIComponent(appId)}` +
        `&redirect_uri=${encodeURIComponent(redirectUri)}` +
        `&response_type=code&scope=${scope}&state=${state}#wechat_redirect`
      );
    },
  };
}
