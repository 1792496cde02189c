import { isIP } from "node:net";

/**
 * The shopper's IP for spbill_create_ip (H5 needs the real one, WeChat compares it with what it sees).
 * X-Forwarded-For is client-writable, so never take the left-most entry: with `hops` trusted proxies in front,
 * the entry `hops` places from the right is the address the outermost trusted proxy saw. With no proxy (0),
 * the right-most entry is the one Next's server fills in from the socket when the client sent none.
 */
export function clientIpFrom(xForwardedFor: string | null | undefined, hops: number): string {
  const entries = (xForwardedFor ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const pick = entries[entries.length - Math.max(hops, 1)];
  const ip = normalize(pick);
  return ip ?? "127.0.0.1";
}

function normalize(candidate: string | undefined): string | undefined {
  if (!candidate) return undefined;
  let ip = candidate;
  if (ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4) ip = ip.slice(7);
  return isIP(ip) ? ip : undefined;
}
