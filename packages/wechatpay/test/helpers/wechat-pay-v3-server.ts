// A local WeChat Pay v3 endpoint for client tests: a real HTTPS server (per-run PKI) on a free port that
// checks the request's Authorization the way WeChat does and answers with Wechatpay-* headers signed by the
// WeChat Pay public key or a platform certificate, using the same primitives production uses. Tests script
// the answers per path. The keys are the SDK test keys from vectors-v3.json.
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { KeyObject } from "node:crypto";

import {
  buildRequestMessage,
  buildResponseMessageBytes,
  encryptAeadAesGcm,
  loadPrivateKey,
  loadPublicKey,
  parseAuthorization,
  signSha256WithRsa,
  verifySha256WithRsa,
  v3Nonce,
} from "../../src/v3/index";
import type { TFetch } from "../../src/shared/http";
import { ref } from "../v3/vectors";

export const V3_MCH_ID = "1234567891";
export const V3_APPID = "wxd678efh567hg6787";
export const V3_MINI_APPID = "wx2421b1c4370ec43b";
export const V3_OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
export const APIV3_KEY = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
export const PUB_KEY_ID = "PUB_KEY_ID_0112345678902026112900000000000001";

/** The merchant (wechatpay-java's test merchant key and certificate). */
export const merchant = {
  serialNo: "5F1C72E2A8931B72A2E13AF8DEE92471EB397115",
  privateKeyPem: ref("keys.java_merchant.private_key_pem"),
  certificatePem: ref("keys.java_merchant.certificate_pem"),
};

/** WeChat's side: a public key (wechatpay-go's test pair) and a platform certificate (wechatpay-java's). */
export const wechat = {
  publicKeyPem: ref("keys.go_test_rsa_2048.public_key_pem"),
  publicKeyPrivate: loadPrivateKey(ref("keys.go_test_rsa_2048.private_key_pem")),
  platformSerial: "440024045C4A427599D09BB4E3DE0279F2E813FD",
  platformCertPem: ref("keys.java_wechatpay_side.certificate_pem"),
  platformPrivate: loadPrivateKey(ref("keys.java_wechatpay_side.private_key_pem")),
};

export type TSigner = { serial: string; key: KeyObject };
export const signers = {
  publicKey: { serial: PUB_KEY_ID, key: wechat.publicKeyPrivate } as TSigner,
  platform: { serial: wechat.platformSerial, key: wechat.platformPrivate } as TSigner,
};

/** Signed headers for a body, as WeChat sends them on answers and notifies. */
export function signedHeaders(
  body: string | Uint8Array,
  signer: TSigner,
  opts: { timestamp?: number; nonce?: string; signature?: string } = {},
): Record<string, string> {
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? v3Nonce();
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  return {
    "Wechatpay-Timestamp": timestamp,
    "Wechatpay-Nonce": nonce,
    "Wechatpay-Serial": signer.serial,
    "Wechatpay-Signature":
      opts.signature ?? signSha256WithRsa(signer.key, buildResponseMessageBytes(timestamp, nonce, bytes)),
    "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
  };
}

/** A notify body with its resource sealed by the APIv3 key, as WeChat builds one. */
export function notifyBody(
  eventType: string,
  resource: Record<string, unknown>,
  opts: { key?: string; originalType?: string; associatedData?: string; algorithm?: string } = {},
): string {
  const nonce = v3Nonce().slice(0, 12);
  const associatedData = opts.associatedData ?? (eventType.startsWith("REFUND") ? "refund" : "transaction");
  return JSON.stringify({
    id: "EV-2018022511223320873",
    create_time: "2026-11-29T10:00:00+08:00",
    resource_type: "encrypt-resource",
    event_type: eventType,
    summary: eventType.startsWith("REFUND") ? "退款成功" : "支付成功",
    resource: {
      original_type: opts.originalType ?? (eventType.startsWith("REFUND") ? "refund" : "transaction"),
      algorithm: opts.algorithm ?? "AEAD_AES_256_GCM",
      ciphertext: encryptAeadAesGcm({
        key: opts.key ?? APIV3_KEY,
        nonce,
        associatedData,
        plaintext: JSON.stringify(resource),
      }),
      associated_data: associatedData,
      nonce,
    },
  });
}

export type TV3Reply =
  | {
      kind: "json";
      status?: number;
      body?: unknown;
      signer?: TSigner;
      signature?: string;
      timestamp?: number;
    }
  | { kind: "raw"; status: number; body: string | Uint8Array; headers?: Record<string, string> };

export type TV3Recorded = {
  method: string;
  url: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  /** Did the Authorization verify with the merchant certificate? */
  authorized: boolean;
};

export type TV3Server = {
  baseUrl: string;
  fetch: TFetch;
  requests: TV3Recorded[];
  route(method: string, path: string, handler: (req: TV3Recorded) => TV3Reply): void;
  close(): Promise<void>;
};

/** A fetch over node:https that trusts the per-run CA (production uses the global fetch and public CAs). */
export function fetchTrusting(caPem: string): TFetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    const headers = new Headers(init?.headers);
    const body =
      init?.body === undefined || init.body === null ? undefined : Buffer.from(init.body as string);
    return new Promise<Response>((resolve, reject) => {
      const req = https.request(
        url,
        {
          method: init?.method ?? "GET",
          headers: Object.fromEntries(headers.entries()),
          ca: caPem,
          agent: false,
          ...(init?.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (typeof v === "string") h.set(k, v);
            }
            const status = res.statusCode ?? 0;
            const noBody = status === 204 || status === 304;
            resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, headers: h }));
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }) as TFetch;
}

export async function startV3Server(tls: {
  keyPem: string;
  certPem: string;
  caPem: string;
}): Promise<TV3Server> {
  const routes = new Map<string, (req: TV3Recorded) => TV3Reply>();
  const requests: TV3Recorded[] = [];
  const merchantKey = loadPublicKey(merchant.certificatePem);

  const server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const url = req.url ?? "/";
      const auth = parseAuthorization(req.headers.authorization);
      const authorized =
        auth.ok &&
        auth.value.mchid === V3_MCH_ID &&
        auth.value.serialNo === merchant.serialNo &&
        verifySha256WithRsa(
          merchantKey,
          buildRequestMessage({
            method: req.method ?? "",
            url,
            timestamp: auth.value.timestamp,
            nonce: auth.value.nonce,
            body,
          }),
          auth.value.signature,
        );
      const record: TV3Recorded = { method: req.method ?? "", url, body, headers: req.headers, authorized };
      requests.push(record);
      if (!authorized) {
        res.writeHead(401, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: "SIGN_ERROR", message: "签名错误，请检查后再试" }));
        return;
      }
      const handler = routes.get(`${req.method} ${url.split("?")[0]}`);
      const reply: TV3Reply = handler
        ? handler(record)
        : { kind: "raw", status: 404, body: JSON.stringify({ code: "NOT_FOUND", message: "no route" }) };
      if (reply.kind === "raw") {
        res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        res.end(reply.body);
        return;
      }
      const text = reply.body === undefined ? "" : JSON.stringify(reply.body);
      // Answers are signed with the key the request's Wechatpay-Serial names, unless the test picks one.
      const signer =
        reply.signer ??
        (req.headers["wechatpay-serial"] === wechat.platformSerial ? signers.platform : signers.publicKey);
      const headers = signedHeaders(text, signer, {
        ...(reply.signature === undefined ? {} : { signature: reply.signature }),
        ...(reply.timestamp === undefined ? {} : { timestamp: reply.timestamp }),
      });
      res.writeHead(reply.status ?? 200, {
        "content-type": "application/json",
        "request-id": "08F5B8C2-0",
        ...headers,
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `https://localhost:${port}`,
    fetch: fetchTrusting(tls.caPem),
    requests,
    route(method, path, handler) {
      routes.set(`${method} ${path}`, handler);
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
