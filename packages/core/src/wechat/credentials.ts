// access_token and jsapi_ticket, cached in Postgres and refreshed single-flight across processes.
// WeChat: "建议公众号开发者使用中控服务器统一获取和刷新access_token" — fetching a new token invalidates the old one
// (after a short overlap), and the daily quota is 2000, so no process may fetch on its own.
import { and, eq, sql } from "drizzle-orm";

import { wechatCredentials } from "@wxpay/db";
import { WechatPlatformError } from "@wxpay/wechatpay";

import type { CoreDeps } from "../deps";

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

/**
 * The cached value when it has more than EARLY_REFRESH_MS left (and is not the `stale` value a caller just saw
 * rejected); otherwise one process, holding a transaction-scoped advisory lock, fetches and stores a new one
 * while the others wait and then read it.
 */
export async function getCredential(
  deps: CoreDeps,
  appid: string,
  kind: TCredentialKind,
  fetchNew: () => Promise<TFetched>,
  opts: { stale?: string } = {},
): Promise<string> {
  const usable = (row: { value: string; expiresAt: Date } | undefined) =>
    row !== undefined &&
    row.value !== opts.stale &&
    row.expiresAt.getTime() - deps.now().getTime() > EARLY_REFRESH_MS;

  const first = await cached(deps, appid, kind);
  if (usable(first) && first) return first.value;

  return deps.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`wechat_credentials:${appid}:${kind}`}))`);
    const [row] = await tx
      .select()
      .from(wechatCredentials)
      .where(and(eq(wechatCredentials.appid, appid), eq(wechatCredentials.kind, kind)))
      .limit(1);
    if (usable(row) && row) return row.value;
    const fetched = await fetchNew();
    await tx
      .insert(wechatCredentials)
      .values({ appid, kind, value: fetched.value, expiresAt: fetched.expiresAt, refreshedAt: deps.now() })
      .onConflictDoUpdate({
        target: [wechatCredentials.appid, wechatCredentials.kind],
        set: { value: fetched.value, expiresAt: fetched.expiresAt, refreshedAt: deps.now() },
      });
    deps.log.info("wechat credential refreshed", { appid, kind, expiresAt: fetched.expiresAt.toISOString() });
    return fetched.value;
  });
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
  // The access token is obtained before the ticket's lock is taken: never nest the two transactions.
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
