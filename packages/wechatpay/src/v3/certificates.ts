// Platform certificates held for verification and encryption. WeChat: several are valid at once during a
// rotation; verify with the one whose serial equals Wechatpay-Serial, encrypt with the newest (the one that
// became effective last); refresh when an unknown serial appears.
import type { KeyObject } from "node:crypto";

import type { TV3CertificatesResult } from "./client";
import type { KeySource, TPlatformCertificate, TWechatpayPublicKey } from "./verifier";

export type TRefreshResult =
  | { ok: true; added: string[]; serials: string[] }
  /** WeChat: this merchant has no platform certificate (public-key merchants). */
  | { ok: false; reason: "NO_PLATFORM_CERTIFICATES"; message: string };

export type TCertificateStoreOptions = {
  /** Fetches the current list (normally `() => client.downloadCertificates(apiV3Key)`). */
  download?: () => Promise<TV3CertificatesResult>;
  /** An unknown serial triggers at most one download per this many ms (default 60 000): a forged serial cannot make us hammer WeChat. */
  minRefreshIntervalMs?: number;
  /** Told after a download that brought new certificates, with the whole list (e.g. to cache the PEMs). */
  onUpdate?: (certificates: TPlatformCertificate[]) => void;
  now?: () => number;
};

export class CertificateStore implements KeySource {
  private readonly certs = new Map<string, TPlatformCertificate>();
  private lastRefresh = -Infinity;
  private inflight: Promise<TRefreshResult> | undefined;
  private readonly opts: TCertificateStoreOptions;

  constructor(initial: readonly TPlatformCertificate[] = [], opts: TCertificateStoreOptions = {}) {
    this.opts = opts;
    this.add(initial);
  }

  add(certs: readonly TPlatformCertificate[]): string[] {
    const added: string[] = [];
    for (const c of certs) {
      const serial = c.serialNo.toUpperCase();
      if (!this.certs.has(serial)) added.push(serial);
      this.certs.set(serial, c);
    }
    return added;
  }

  keyFor(serial: string): KeyObject | undefined {
    const c = this.certs.get(serial.toUpperCase());
    // An expired certificate no longer verifies anything.
    if (!c || (c.expireTime && c.expireTime.getTime() < this.time())) return undefined;
    return c.key;
  }

  /** Serials, newest effective first. */
  serials(): string[] {
    return this.list().map((c) => c.serialNo);
  }

  list(): TPlatformCertificate[] {
    const t = this.time();
    return [...this.certs.values()]
      .filter((c) => !c.expireTime || c.expireTime.getTime() >= t)
      .sort((a, b) => (b.effectiveTime?.getTime() ?? 0) - (a.effectiveTime?.getTime() ?? 0));
  }

  /** The certificate to encrypt sensitive fields with: the one that became effective last and is in force. */
  newest(): TPlatformCertificate | undefined {
    const t = this.time();
    return this.list().find((c) => !c.effectiveTime || c.effectiveTime.getTime() <= t) ?? this.list()[0];
  }

  /** Downloads the list now (single-flight) and adds what is new. */
  refresh(): Promise<TRefreshResult> {
    const download = this.opts.download;
    if (!download) return Promise.resolve({ ok: true, added: [], serials: this.serials() });
    this.inflight ??= download()
      .then((r): TRefreshResult => {
        this.lastRefresh = this.time();
        if (r.kind === "none") return { ok: false, reason: "NO_PLATFORM_CERTIFICATES", message: r.message };
        const added = this.add(r.certificates);
        if (added.length > 0) this.opts.onUpdate?.(this.list());
        return { ok: true, added, serials: this.serials() };
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  /** For the client's onUnknownSerial: refresh (rate-limited) and say whether the serial is now known. */
  async refreshFor(serial: string): Promise<boolean> {
    if (this.time() - this.lastRefresh < (this.opts.minRefreshIntervalMs ?? 60_000)) return false;
    const r = await this.refresh();
    return r.ok && this.keyFor(serial) !== undefined;
  }

  private time(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }
}

/**
 * The key to encrypt sensitive fields with and the serial to send as Wechatpay-Serial: the WeChat Pay public
 * key when the merchant has one, else the newest platform certificate.
 */
export function encryptionKey(source: {
  publicKey?: TWechatpayPublicKey;
  certificates?: CertificateStore;
}): { serial: string; key: KeyObject } | undefined {
  if (source.publicKey) return { serial: source.publicKey.id, key: source.publicKey.key };
  const c = source.certificates?.newest();
  return c ? { serial: c.serialNo, key: c.key } : undefined;
}
