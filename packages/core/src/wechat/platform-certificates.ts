// API v3 platform certificates (certificate and switching modes), cached in Postgres and shared by every instance.
// WeChat: GET /v3/certificates lists the certificates in force; several are valid at once during a rotation, a new one
// is published before the old one expires, and the merchant must pick it up ("平台证书到期前，请及时更新"). So: load the
// table at start (a restart downloads nothing), download only behind a lease (one instance asks WeChat, the others read
// what it stored), and download again when the newest certificate comes close to its expiry or a notify or answer names
// a serial we do not hold (that path is rate-limited by the certificate store itself).
import { X509Certificate } from "node:crypto";

import { and, desc, eq, gt, gte } from "drizzle-orm";

import { wechatPlatformCertificates } from "@wxpay/db";
import type { TPlatformCertificate, TV3CertificatesResult } from "@wxpay/wechatpay/v3";
import { platformCertificate } from "@wxpay/wechatpay/v3";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { randomBase62 } from "../ids";
import { releaseLease, tryAcquireLease } from "./lease";

/** Download again once the newest certificate expires within this window. */
export const CERTIFICATE_REFRESH_BEFORE_EXPIRY_MS = 48 * 3600_000;
/** While certificates are close to expiry (and WeChat has published none newer), ask WeChat at most this often. */
export const CERTIFICATE_REFRESH_MIN_INTERVAL_MS = 10 * 60_000;
/** A download another instance finished this recently is as good as our own. */
const SHARED_DOWNLOAD_MS = 60_000;
/** The download holds its lease at most this long: WeChat's HTTP timeout (10 s) plus a margin. */
const DOWNLOAD_LEASE_MS = 15_000;
const DOWNLOAD_WAIT_MS = DOWNLOAD_LEASE_MS + 2_000;
const POLL_MS = 100;

type TCertDeps = Pick<CoreDeps, "db" | "now" | "log">;

const leaseName = (mchId: string) => `wechat_platform_certificates:${mchId}`;

/** The cached certificates of a merchant that are still in force, newest expiry first. */
export async function loadPlatformCertificates(
  deps: TCertDeps,
  mchId: string,
  opts: { fetchedSince?: Date } = {},
): Promise<(TPlatformCertificate & { fetchedAt: Date })[]> {
  const rows = await deps.db
    .select()
    .from(wechatPlatformCertificates)
    .where(
      and(
        eq(wechatPlatformCertificates.mchId, mchId),
        gt(wechatPlatformCertificates.expiresAt, deps.now()),
        opts.fetchedSince ? gte(wechatPlatformCertificates.fetchedAt, opts.fetchedSince) : undefined,
      ),
    )
    .orderBy(desc(wechatPlatformCertificates.expiresAt));
  return rows.map((r) => ({
    ...platformCertificate(r.pem, { effectiveTime: r.effectiveAt, expireTime: r.expiresAt }),
    fetchedAt: r.fetchedAt,
  }));
}

/** Stores what a download brought (a known serial gets its new times, e.g. after WeChat extended it). */
export async function storePlatformCertificates(
  deps: TCertDeps,
  mchId: string,
  certificates: readonly TPlatformCertificate[],
): Promise<void> {
  const fetchedAt = deps.now();
  for (const c of certificates) {
    if (!c.pem) continue;
    const x509 = new X509Certificate(c.pem);
    const row = {
      serialNo: c.serialNo,
      mchId,
      pem: c.pem,
      effectiveAt: c.effectiveTime ?? new Date(x509.validFrom),
      expiresAt: c.expireTime ?? new Date(x509.validTo),
      fetchedAt,
    };
    await deps.db
      .insert(wechatPlatformCertificates)
      .values(row)
      .onConflictDoUpdate({
        target: wechatPlatformCertificates.serialNo,
        set: { pem: row.pem, effectiveAt: row.effectiveAt, expiresAt: row.expiresAt, fetchedAt },
      });
  }
}

/**
 * The v3 merchant's `certificateDownload`: one instance at a time asks WeChat (a lease row, not a transaction — the
 * HTTP call must not pin a connection) and stores the answer before it lets go; an instance that waited for the lease,
 * or comes within a minute of another's download, answers from the table instead of asking again.
 */
export async function downloadPlatformCertificatesOnce(
  deps: TCertDeps,
  mchId: string,
  download: () => Promise<TV3CertificatesResult>,
): Promise<TV3CertificatesResult> {
  const holder = randomBase62(16);
  const since = new Date(deps.now().getTime() - SHARED_DOWNLOAD_MS);
  const giveUpAt = Date.now() + DOWNLOAD_WAIT_MS;
  for (;;) {
    if (await tryAcquireLease(deps, leaseName(mchId), holder, DOWNLOAD_LEASE_MS)) {
      try {
        const shared = await loadPlatformCertificates(deps, mchId, { fetchedSince: since });
        if (shared.length > 0) return { kind: "certificates", certificates: shared };
        const r = await download();
        if (r.kind === "certificates") {
          await storePlatformCertificates(deps, mchId, r.certificates);
          deps.log.info("wechat platform certificates downloaded", {
            mchId,
            serials: r.certificates.map((c) => c.serialNo),
            expires: r.certificates.map((c) => c.expireTime?.toISOString()),
          });
        } else {
          deps.log.warn("WeChat has no platform certificate for this merchant", { mchId, said: r.message });
        }
        return r;
      } finally {
        await releaseLease(deps, leaseName(mchId), holder);
      }
    }
    if (Date.now() > giveUpAt) throw new CoreError("WECHAT_BUSY", "微信支付平台证书更新中，请稍后重试");
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export type TEnsureCertificatesResult = {
  /** Certificates in force held now. */
  held: number;
  /** Whether this call asked for a download (through the lease: another instance may have answered it). */
  refreshed: boolean;
};

/**
 * Certificate and switching modes: loads the cached certificates into the merchant's store, and downloads when there
 * are none or the newest expires within CERTIFICATE_REFRESH_BEFORE_EXPIRY_MS (at most every
 * CERTIFICATE_REFRESH_MIN_INTERVAL_MS across all instances while that lasts). Called at start and on a timer.
 */
export async function ensurePlatformCertificates(deps: CoreDeps): Promise<TEnsureCertificatesResult> {
  const store = deps.v3?.certificates;
  if (!store) return { held: 0, refreshed: false };
  const mchId = deps.config.mchId;
  const cached = await loadPlatformCertificates(deps, mchId);
  store.add(cached);
  const now = deps.now().getTime();
  const newestExpiry = Math.max(
    ...store.list().map((c) => c.expireTime?.getTime() ?? Number.POSITIVE_INFINITY),
    Number.NEGATIVE_INFINITY,
  );
  const lastFetch = Math.max(...cached.map((c) => c.fetchedAt.getTime()), Number.NEGATIVE_INFINITY);
  const none = store.list().length === 0;
  const expiring = newestExpiry - now < CERTIFICATE_REFRESH_BEFORE_EXPIRY_MS;
  if (!none && !expiring) return { held: store.list().length, refreshed: false };
  if (!none && now - lastFetch < CERTIFICATE_REFRESH_MIN_INTERVAL_MS) {
    return { held: store.list().length, refreshed: false };
  }
  const r = await store.refresh();
  if (!r.ok) deps.log.warn("platform certificates not refreshed", { mchId, reason: r.reason });
  return { held: store.list().length, refreshed: true };
}

/** Keeps the certificates fresh on this instance: ensurePlatformCertificates every `intervalMs`. */
export function startCertificateUpkeep(deps: CoreDeps, opts: { intervalMs: number }): { stop(): void } {
  if (!deps.v3?.certificates) return { stop() {} };
  const timer = setInterval(() => {
    ensurePlatformCertificates(deps).catch((err: unknown) =>
      deps.log.error("platform certificate upkeep failed", { error: String(err) }),
    );
  }, opts.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
