// HTTP for the API clients: injectable fetch, a per-call timeout, a response size cap, and mutual TLS
// through node:https for the certificate-protected endpoints (fetch cannot present a client certificate
// without undici's dispatcher, which is not a dependency here).
import https from "node:https";
import type { SecureContext } from "node:tls";

import { WechatPayError } from "./errors";
import { WechatPayTransportError } from "./errors";

export type TFetch = typeof fetch;

export type THttpResult = {
  status: number;
  bytes: Uint8Array;
  contentType: string;
  /** Every response header (fetch only; v3 verifies the Wechatpay-* ones). */
  headers?: Headers;
};

export type THttpRequest = {
  url: string;
  method: "GET" | "POST";
  body?: string;
  contentType?: string;
  /** Extra request headers (v3: Authorization, Accept, User-Agent, Wechatpay-Serial). */
  headers?: Readonly<Record<string, string>>;
  timeoutMs: number;
  maxBytes: number;
};

/** `base` + `path` with exactly one slash between them, whatever the configured base ends with. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, "") + "/" + path.replace(/^\/+/, "");
}

/** A per-call timeout must be a positive integer of milliseconds (AbortSignal.timeout throws otherwise). */
export function checkTimeout(ms: number): number {
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new WechatPayError("BAD_INPUT", "timeoutMs must be a positive integer", {
      remedy: "FIX_REQUEST",
      details: { field: "timeoutMs" },
    });
  }
  return ms;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "?";
  }
}

function isTimeout(signal: AbortSignal, err: unknown): boolean {
  if (signal.aborted) return true;
  return (
    err instanceof Error &&
    (err.name === "TimeoutError" || (err.cause instanceof Error && err.cause.name === "TimeoutError"))
  );
}

function transportFailure(
  err: unknown,
  signal: AbortSignal,
  url: string,
  timeoutMs: number,
): WechatPayTransportError {
  if (err instanceof WechatPayTransportError) return err;
  const path = pathOf(url);
  if (isTimeout(signal, err)) {
    // WeChat: the outcome of a timed-out call is unknown; "在未得到支付系统明确的回复之前不要换单".
    return new WechatPayTransportError("TIMEOUT", `no reply from ${path} within ${timeoutMs} ms`, {
      path,
      remedy: "RETRY_SAME",
      retryable: true,
      cause: err,
    });
  }
  const reason = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && SERVER_CERT_ERRORS.has(code)) {
    // The server's certificate failed verification: the handshake stopped before a byte of the request was sent,
    // so nothing happened at WeChat. Retrying changes nothing until the configuration (trusted CAs, host) does.
    return new WechatPayTransportError("TLS_SERVER_UNTRUSTED", `request to ${path} failed: ${reason}`, {
      path,
      remedy: "FIX_CONFIG",
      retryable: false,
      cause: err,
    });
  }
  return new WechatPayTransportError("NETWORK", `request to ${path} failed: ${reason}`, {
    path,
    remedy: "RETRY_SAME",
    retryable: true,
    cause: err,
  });
}

// OpenSSL's verdicts on the server certificate, raised by the client during the handshake (Node error codes).
const SERVER_CERT_ERRORS: ReadonlySet<string> = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function tooLarge(url: string, maxBytes: number): WechatPayTransportError {
  return new WechatPayTransportError(
    "RESPONSE_TOO_LARGE",
    `reply from ${pathOf(url)} exceeds ${maxBytes} bytes`,
    {
      path: pathOf(url),
      remedy: "FIX_CONFIG",
      retryable: false,
    },
  );
}

async function readCapped(res: Response, url: string, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge(url, maxBytes);
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(url, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export async function requestViaFetch(fetchImpl: TFetch, req: THttpRequest): Promise<THttpResult> {
  const signal = AbortSignal.timeout(checkTimeout(req.timeoutMs));
  try {
    const headers: Record<string, string> = { ...req.headers };
    if (req.contentType !== undefined) headers["content-type"] = req.contentType;
    const init: RequestInit = { method: req.method, headers, signal, redirect: "error" };
    if (req.body !== undefined) init.body = req.body;
    const res = await fetchImpl(req.url, init);
    const bytes = await readCapped(res, req.url, req.maxBytes);
    return {
      status: res.status,
      bytes,
      contentType: res.headers.get("content-type") ?? "",
      headers: res.headers,
    };
  } catch (err) {
    throw transportFailure(err, signal, req.url, req.timeoutMs);
  }
}

/** POST over HTTPS presenting the merchant API certificate (WeChat: "请求需要双向证书"). */
export async function requestViaMtls(secureContext: SecureContext, req: THttpRequest): Promise<THttpResult> {
  const signal = AbortSignal.timeout(checkTimeout(req.timeoutMs));
  return new Promise<THttpResult>((resolve, reject) => {
    const fail = (err: unknown): void => reject(transportFailure(err, signal, req.url, req.timeoutMs));
    const headers: Record<string, string | number> = {};
    if (req.contentType !== undefined) headers["content-type"] = req.contentType;
    const body = req.body === undefined ? undefined : Buffer.from(req.body, "utf8");
    if (body) headers["content-length"] = body.byteLength;
    let request: ReturnType<typeof https.request>;
    try {
      // agent: false — one connection per call; the certificate-protected calls are rare (refunds).
      // tls.connect honours `secureContext`; @types/node's RequestOptions does not list it.
      const options = {
        method: req.method,
        headers,
        secureContext,
        agent: false,
        signal,
      } as https.RequestOptions;
      request = https.request(req.url, options);
    } catch (err) {
      fail(err);
      return;
    }
    request.on("error", fail);
    request.on("response", (res) => {
      const chunks: Buffer[] = [];
      let total = 0;
      res.on("data", (chunk: Buffer) => {
        total += chunk.byteLength;
        if (total > req.maxBytes) {
          res.destroy();
          reject(tooLarge(req.url, req.maxBytes));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", fail);
      res.on("end", () => {
        const ct = res.headers["content-type"];
        resolve({
          status: res.statusCode ?? 0,
          bytes: Buffer.concat(chunks),
          contentType: typeof ct === "string" ? ct : "",
        });
      });
    });
    request.end(body);
  });
}

export function statusError(url: string, status: number): WechatPayTransportError {
  const path = pathOf(url);
  const serverSide = status >= 500;
  return new WechatPayTransportError("HTTP_STATUS", `${path} answered HTTP ${status}`, {
    path,
    status,
    remedy: serverSide ? "RETRY_SAME" : "FIX_CONFIG",
    retryable: serverSide,
  });
}

export { pathOf };
