// Node's side of the direct paths: an IncomingMessage read the way Next reads it for a route handler (the same
// x-forwarded-* defaults, the same size-capped UTF-8 body), and an answer written back on the ServerResponse.
import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";

import type { NotifyAnswer, NotifyRequest } from "./notify-transport";

const utf8 = new TextDecoder("utf-8");

/**
 * Next fills these in before any route handler sees the request (base-server's x-forwarded-* update); the direct
 * paths do the same, so the client address a handler reads (clientIpFrom + TRUST_PROXY_HOPS) is the same either way.
 */
export function addForwardedDefaults(req: IncomingMessage): void {
  const h = req.headers;
  const https = h["x-forwarded-proto"] ? h["x-forwarded-proto"] === "https" : false;
  h["x-forwarded-host"] ??= h.host;
  h["x-forwarded-port"] ??= req.socket.localPort ? String(req.socket.localPort) : https ? "443" : "80";
  h["x-forwarded-proto"] ??= https ? "https" : "http";
  h["x-forwarded-for"] ??= req.socket.remoteAddress;
}

export function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * The body, or undefined as soon as it is larger than maxBytes (by declared length, or by counted bytes): the rest is
 * read and dropped, never held, so an oversized body costs nothing but the cap.
 */
export function readIncomingCapped(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > maxBytes) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      total += chunk.length;
      if (total > maxBytes) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!over) resolve(Buffer.concat(chunks, total));
    });
    req.on("error", reject);
    req.on("aborted", () => reject(new Error("request aborted")));
  });
}

export function notifyFromIncoming(req: IncomingMessage, path: string): NotifyRequest {
  return {
    path,
    header: (name) => headerOf(req, name),
    headers() {
      const all: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) all[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      return all;
    },
    async body(maxBytes) {
      const bytes = await readIncomingCapped(req, maxBytes);
      // Malformed UTF-8 becomes U+FFFD here, as in readBodyCapped; the signature check then fails, as it must.
      return bytes === undefined ? undefined : utf8.decode(bytes);
    },
  };
}

export function sendAnswer(res: ServerResponse, answer: NotifyAnswer): void {
  if (answer.body === null) {
    res.writeHead(answer.status, answer.headers);
    res.end();
    return;
  }
  const body = Buffer.from(answer.body, "utf8");
  res.writeHead(answer.status, { ...answer.headers, "content-length": body.length });
  res.end(body);
}

/** A web Request for a handler written against the fetch API (tRPC's adapter), or undefined when the body is too big. */
export async function webRequestFromIncoming(
  req: IncomingMessage,
  maxBytes: number,
): Promise<Request | undefined> {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  for (const name of ["x-forwarded-host", "x-forwarded-port", "x-forwarded-proto", "x-forwarded-for"]) {
    const value = headerOf(req, name);
    if (value !== null && !headers.has(name)) headers.set(name, value);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const body = hasBody ? await readIncomingCapped(req, maxBytes) : undefined;
  if (hasBody && body === undefined) return undefined;
  return new Request(`http://${headerOf(req, "host") ?? "localhost"}${req.url ?? "/"}`, {
    method,
    headers,
    ...(hasBody ? { body: body as Uint8Array<ArrayBuffer> } : {}),
  });
}

/** Below this many bytes a body is sent as it is; at or above it, gzip when the client accepts it (as Next does). */
const COMPRESS_FROM_BYTES = 1024;

export async function sendResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: Response,
): Promise<void> {
  let body: Buffer | undefined = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (body && body.length >= COMPRESS_FROM_BYTES && !response.headers.has("content-encoding")) {
    res.setHeader("vary", "Accept-Encoding");
    if (/\bgzip\b/.test(headerOf(req, "accept-encoding") ?? "")) {
      body = gzipSync(body);
      res.setHeader("content-encoding", "gzip");
    }
  }
  if (body) res.setHeader("content-length", body.length);
  res.end(body);
}
