// The hand-written baselines' request body: at most 64 KiB (the shop's notify cap), read whole, UTF-8; undefined above
// the cap (by declared length at once, else once the counted bytes pass it; the rest is read and dropped).
import type http from "node:http";

export const MAX_BODY_BYTES = 64 * 1024;

export function readBody(req: http.IncomingMessage, done: (body: string | undefined) => void): void {
  if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) {
    req.resume();
    done(undefined);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (size <= MAX_BODY_BYTES) chunks.push(c);
  });
  req.on("end", () => done(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8")));
}
