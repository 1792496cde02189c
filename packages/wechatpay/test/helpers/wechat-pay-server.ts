// A local WeChat Pay v2 endpoint for client tests: a real node:http(s) server on a free port that checks
// request signatures the way WeChat does and answers in WeChat's wire format, signing with the same
// functions production uses. Each test scripts the replies per path.
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";

import { buildXml, nonceStr, parseXml, sign, verifySign } from "../../src/index";
import type { SignType, WireFields } from "../../src/index";

export type TReply =
  /** A reply signed with `key` (default: the server's key). */
  | {
      kind: "signed";
      fields: Record<string, string | number>;
      key?: string;
      signType?: SignType;
      forgeSign?: boolean;
    }
  | { kind: "raw"; body: string | Uint8Array; status?: number; contentType?: string }
  /** Never answer (timeout tests). */
  | { kind: "hang" };

export type TRecorded = {
  path: string;
  method: string;
  raw: string;
  fields?: WireFields;
  clientCertCN?: string;
};

export type THandler = (req: { path: string; fields: WireFields; raw: string }) => TReply | Promise<TReply>;

export type TPayServer = {
  baseUrl: string;
  requests: TRecorded[];
  route(path: string, handler: THandler): void;
  close(): Promise<void>;
};

export type TPayServerOptions = {
  mchId: string;
  key: string;
  signType: SignType;
  /** Serve HTTPS instead of HTTP, optionally requiring a client certificate signed by `ca`. */
  tls?: { keyPem: string; certPem: string; caPem: string; requireClientCert: boolean };
};

/** The fields WeChat puts on every return_code=SUCCESS reply. */
export function envelope(
  appId: string,
  mchId: string,
  fields: Record<string, string | number>,
): Record<string, string | number> {
  return {
    return_code: "SUCCESS",
    return_msg: "OK",
    appid: appId,
    mch_id: mchId,
    nonce_str: nonceStr(16),
    ...fields,
  };
}

export function success(appId: string, mchId: string, fields: Record<string, string | number> = {}): TReply {
  return { kind: "signed", fields: envelope(appId, mchId, { result_code: "SUCCESS", ...fields }) };
}

export function businessFail(appId: string, mchId: string, errCode: string, errCodeDes: string): TReply {
  return {
    kind: "signed",
    fields: envelope(appId, mchId, { result_code: "FAIL", err_code: errCode, err_code_des: errCodeDes }),
  };
}

/** WeChat's unsigned communication-level failure. */
export function returnFail(returnMsg: string): TReply {
  return {
    kind: "raw",
    body: buildXml({ return_code: "FAIL", return_msg: returnMsg }),
    contentType: "text/xml",
  };
}

export async function startPayServer(opts: TPayServerOptions): Promise<TPayServer> {
  const routes = new Map<string, THandler>();
  const requests: TRecorded[] = [];

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const record: TRecorded = { path, method: req.method ?? "", raw };
    const peer = (req.socket as TLSSocket).getPeerCertificate?.();
    if (peer && typeof peer.subject?.CN === "string") record.clientCertCN = peer.subject.CN;
    requests.push(record);

    const send = (status: number, body: string | Uint8Array, contentType = "text/xml"): void => {
      res.writeHead(status, { "content-type": contentType });
      res.end(body);
    };
    let fields: WireFields;
    try {
      fields = parseXml(raw);
      record.fields = fields;
    } catch {
      send(200, buildXml({ return_code: "FAIL", return_msg: "XML_FORMAT_ERROR" }));
      return;
    }
    // WeChat: the request sign is checked with the merchant key and the declared sign_type (default MD5).
    const declared = fields.sign_type === undefined || fields.sign_type === "" ? "MD5" : fields.sign_type;
    if (declared !== "MD5" && declared !== "HMAC-SHA256") {
      send(200, buildXml({ return_code: "FAIL", return_msg: "sign_type参数格式错误" }));
      return;
    }
    if (fields.mch_id !== opts.mchId || !verifySign(fields, [opts.key], declared)) {
      send(200, buildXml({ return_code: "FAIL", return_msg: "签名错误" }));
      return;
    }
    const handler = routes.get(path);
    if (!handler) {
      send(404, "not found", "text/plain");
      return;
    }
    const reply = await handler({ path, fields, raw });
    if (reply.kind === "hang") return;
    if (reply.kind === "raw") {
      send(reply.status ?? 200, reply.body, reply.contentType ?? "text/xml");
      return;
    }
    const signType = reply.signType ?? declared;
    const signed: Record<string, string | number> = {
      ...reply.fields,
      sign: sign(reply.fields, reply.key ?? opts.key, signType),
    };
    if (reply.forgeSign) {
      // A reply whose content was changed after signing: the sign no longer matches.
      signed.nonce_str = String(signed.nonce_str) + "x";
    }
    send(200, buildXml(signed));
  };

  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(err));
    });
  };

  const server = opts.tls
    ? https.createServer(
        {
          key: opts.tls.keyPem,
          cert: opts.tls.certPem,
          ca: opts.tls.caPem,
          requestCert: opts.tls.requireClientCert,
          rejectUnauthorized: opts.tls.requireClientCert,
        },
        listener,
      )
    : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const scheme = opts.tls ? "https" : "http";
  const host = opts.tls ? "localhost" : "127.0.0.1";
  return {
    baseUrl: `${scheme}://${host}:${port}`,
    requests,
    route(path, handler) {
      routes.set(path.startsWith("/") ? path : "/" + path, handler);
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
