// access_token and jsapi_ticket, cached in Postgres and refreshed single-flight across processes.
// WeChat: "建议公众号开发者使用中控服务器统一获取和刷新access_token" — fetching a new token invalidates the old one
// (after a short overlap), and the daily quota is 2000, so no process may fetch on its own.
import { and, eq } from "drizzle-orm";

import { wechatCredentials } from "@wxpay/db";
import { WechatPlatformError } from "@wxpay/wechatpay";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { randomBase62 } from "../ids";
import { releaseLease, tryAcquireLease } from "./lease";

export type TCredentialKind = "access_token" | "jsapi_ticket";

/** Refresh this long before WeChat's expiry, so no request ever carries a token about to lapse. */
export const EARLY_REFRESH_MS = 10 * 60 * 1000;

type TFetched = { value: string; expiresAt: Date };

async function cached(deps: CoreDeps, appid: string, kind: TCredentialKind) {
  const [row] = await deps.db
    .select()
    .from(wechatCredentials)
    .where(and(eq(wechatCredentials.appid, appid), eq(wechatCredentials.kind, kind)))
    .limit(1);
  return row;
}

/** A refresh holds its lease at most this long: WeChat's HTTP timeout (10 s) plus a margin. */
export const REFRESH_LEASE_MS = 15_000;
/** How long a caller waits for another instance's refresh before giving up (longer than a lapsed lease). */
const REFRESH_WAIT_MS = REFRESH_LEASE_MS + 2_000;
const POLL_MS = 100;

/**
 * The cached value when it has more than EARLY_REFRESH_MS left (and is not the `stale` value a caller just saw
 * rejected); otherwise one caller across all instances, holding a lease row (not a transaction: the HTTP call to
 * WeChat must not pin a database connection), fetches and stores a new one while the others poll the cache.
 */
export async function getCredential(
  deps: CoreDeps,
  appid: string,
  kind: TCredentialKind,
  fetchNew: () => Promise<TFetched>,
  opts: { stale?: string } = {},
): Promise<string> {
  const usable = (
    row: { value: string; expiresAt: Date } | undefined,
  ): row is { value: string; expiresAt: Date } =>
    row !== undefined &&
    row.value !== opts.stale &&
    row.expiresAt.getTime() - deps.now().getTime() > EARLY_REFRESH_MS;

  const lease = `wechat_credentials:${appid}:${kind}`;
  const holder = randomBase62(16);
  const giveUpAt = Date.now() + REFRESH_WAIT_MS;
  for (;;) {
    const row = await cached(deps, appid, kind);
    if (usable(row)) return row.value;
    if (await tryAcquireLease(deps, lease, holder, REFRESH_LEASE_MS)) {
      try {
        // Another holder may have stored a fresh value between our read and our lease.
        const again = await cached(deps, appid, kind);
        if (usable(again)) return again.value;
        const fetched = await fetchNew();
        const refreshedAt = deps.now();
        await deps.db
          .insert(wechatCredentials)
          .values({ appid, kind, value: fetched.value, expiresAt: fetched.expiresAt, refreshedAt })
          .onConflictDoUpdate({
            target: [wechatCredentials.appid, wechatCredentials.kind],
            set: { value: fetched.value, expiresAt: fetched.expiresAt, refreshedAt },
          });
        deps.log.info("wechat credential refreshed", {
          appid,
          kind,
          expiresAt: fetched.expiresAt.toISOString(),
        });
        return fetched.value;
      } finally {
        await releaseLease(deps, lease, holder);
      }
    }
    if (Date.now() > giveUpAt) {
      throw new CoreError("WECHAT_BUSY", "微信服务暂时繁忙，请稍后重试");
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export function getAccessToken(deps: CoreDeps, opts: { stale?: string } = {}): Promise<string> {
  const { appId, secret } = deps.config.officialAccount;
  return getCredential(
    deps,
    appId,
    "access_token",
    async () => {
      try {
        const t = await deps.platform.getAccessToken({ appId, secret });
        return { value: t.accessToken, expiresAt: t.expiresAt };
      } catch (err) {
        if (err instanceof WechatPlatformError && err.kind === "QUOTA") {
          deps.log.alert("access_token daily quota exhausted (45009)", { appId });
        }
        throw err;
      }
    },
    opts,
  );
}

/** The official account's jsapi_ticket; one retry with a refreshed access_token on 40001/42001. */
export async function getJsapiTicket(deps: CoreDeps): Promise<string> {
  const { appId } = deps.config.officialAccount;
  const fetchTicket = async (accessToken: string) => {
    const t = await deps.platform.getJsapiTicket({ accessToken });
    return { value: t.ticket, expiresAt: t.expiresAt };
  };
  // The access token is obtained before the ticket's lease is taken: one lease at a time per caller.
  const token = await getAccessToken(deps);
  try {
    return await getCredential(deps, appId, "jsapi_ticket", () => fetchTicket(token));
  } catch (err) {
    if (!(err instanceof WechatPlatformError) || err.kind !== "TOKEN_INVALID") throw err;
    deps.log.warn("access_token rejected by WeChat; refreshing once", { appId, errcode: err.errcode });
    const fresh = await getAccessToken(deps, { stale: token });
    return getCredential(deps, appId, "jsapi_ticket", () => fetchTicket(fresh));
  }
}
