// The production server's side of the direct paths, over a real node:http server: bodies read under the cap as Next's
// route handlers read them, Next's X-Forwarded-* defaults, and answers written back (length, gzip, cookies).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  addForwardedDefaults,
  notifyFromIncoming,
  sendAnswer,
  sendResponse,
  webRequestFromIncoming,
} from "./node-http";

type THandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
let handler: THandler = async (_req, res) => void res.end();
let server: http.Server;
let port = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    handler(req, res).catch((err: unknown) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

type TReply = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
/** One request; `chunks` are written one by one (chunked unless a content-length header is given). */
function send(opts: {
  method?: string;
  path?: string;
  headers?: Record<string, string | string[]>;
  chunks?: (string | Buffer)[];
}): Promise<TReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: opts.method ?? "POST",
        path: opts.path ?? "/x",
        headers: opts.headers,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }),
        );
      },
    );
    req.on("error", reject);
    for (const c of opts.chunks ?? []) req.write(c);
    req.end();
  });
}

describe("a notify body from Node's request", () => {
  const echoBody =
    (max: number): THandler =>
    async (req, res) => {
      const body = await notifyFromIncoming(req, "/x").body(max);
      res.end(body === undefined ? "TOO LARGE" : JSON.stringify(body));
    };

  it("is read whole as UTF-8 when its declared length is within the cap", async () => {
    handler = echoBody(64);
    const xml = "<xml>茶与器</xml>";
    const r = await send({ headers: { "content-length": String(Buffer.byteLength(xml)) }, chunks: [xml] });
    expect(JSON.parse(r.body.toString())).toBe(xml);
  });

  it("is refused by its declared length, and by counted bytes when chunked", async () => {
    handler = echoBody(64);
    const big = "x".repeat(100);
    expect((await send({ headers: { "content-length": "100" }, chunks: [big] })).body.toString()).toBe(
      "TOO LARGE",
    );
    expect((await send({ chunks: ["a".repeat(40), "a".repeat(40)] })).body.toString()).toBe("TOO LARGE");
    expect(JSON.parse((await send({ chunks: ["a".repeat(30), "a".repeat(30)] })).body.toString())).toBe(
      "a".repeat(60),
    );
  });

  it("turns malformed UTF-8 into U+FFFD, and no body into an empty string", async () => {
    handler = echoBody(64);
    const bytes = Buffer.from([0x3c, 0xff, 0x3e]);
    expect(JSON.parse((await send({ chunks: [bytes] })).body.toString())).toBe("<\uFFFD>");
    expect(JSON.parse((await send({ headers: { "content-length": "0" } })).body.toString())).toBe("");
  });

  it("gives headers by lower-case name, repeated ones joined, and null for a missing one", async () => {
    handler = async (req, res) => {
      const n = notifyFromIncoming(req, "/x");
      res.end(
        JSON.stringify({ serial: n.header("wechatpay-serial"), none: n.header("x-none"), all: n.headers() }),
      );
    };
    const r = await send({ headers: { "Wechatpay-Serial": "PUB_KEY_ID_1", "X-Multi": ["a", "b"] } });
    const got = JSON.parse(r.body.toString()) as { serial: string; none: null; all: Record<string, string> };
    expect(got.serial).toBe("PUB_KEY_ID_1");
    expect(got.none).toBeNull();
    expect(got.all["x-multi"]).toBe("a, b");
  });
});

describe("Next's X-Forwarded-* defaults", () => {
  beforeAll(() => {
    handler = async (req, res) => {
      addForwardedDefaults(req);
      const h = req.headers;
      res.end(
        JSON.stringify([
          h["x-forwarded-for"],
          h["x-forwarded-host"],
          h["x-forwarded-port"],
          h["x-forwarded-proto"],
        ]),
      );
    };
  });

  it("fill in the socket's address, the host, the port and http when a client sends none", async () => {
    const r = JSON.parse((await send({ method: "GET" })).body.toString()) as string[];
    expect(r).toEqual(["127.0.0.1", `127.0.0.1:${port}`, String(port), "http"]);
  });

  it("keep what a proxy in front sent", async () => {
    const r = await send({
      method: "GET",
      headers: {
        "x-forwarded-for": "203.0.113.9",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "shop.example",
      },
    });
    expect(JSON.parse(r.body.toString())).toEqual(["203.0.113.9", "shop.example", String(port), "https"]);
  });
});

describe("answers written back", () => {
  it("a notify answer carries its byte length; a 204 has no body", async () => {
    handler = async (_req, res) =>
      sendAnswer(res, {
        status: 200,
        headers: { "content-type": "text/xml; charset=utf-8" },
        body: "<xml>成功</xml>",
      });
    const r = await send({});
    expect(Number(r.headers["content-length"])).toBe(Buffer.byteLength("<xml>成功</xml>"));
    expect(r.body.toString()).toBe("<xml>成功</xml>");
    handler = async (_req, res) =>
      sendAnswer(res, { status: 204, headers: { "cache-control": "no-store" }, body: null });
    const empty = await send({});
    expect(empty.status).toBe(204);
    expect(empty.body.length).toBe(0);
  });

  it("a web Response keeps every Set-Cookie, and is gzipped from 1 KiB when the client accepts it", async () => {
    const big = JSON.stringify({ items: "茶".repeat(800) });
    handler = async (req, res) => {
      const headers = new Headers({ "content-type": "application/json" });
      headers.append("set-cookie", "a=1; Path=/");
      headers.append("set-cookie", "b=2; Path=/");
      const small = req.url === "/small";
      await sendResponse(req, res, new Response(small ? "{}" : big, { status: 200, headers }));
    };
    const gz = await send({ method: "GET", path: "/big", headers: { "accept-encoding": "gzip, br" } });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gz.headers.vary).toBe("Accept-Encoding");
    expect(gunzipSync(gz.body).toString()).toBe(big);
    expect(gz.headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    const plain = await send({ method: "GET", path: "/big" });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString()).toBe(big);
    const small = await send({ method: "GET", path: "/small", headers: { "accept-encoding": "gzip" } });
    expect(small.headers["content-encoding"]).toBeUndefined();
    expect(small.body.toString()).toBe("{}");
  });
});

describe("a web Request for the tRPC handler", () => {
  it("carries the method, the URL, the headers with the forwarded defaults, and the body", async () => {
    handler = async (req, res) => {
      addForwardedDefaults(req);
      const request = await webRequestFromIncoming(req, 1024);
      if (!request) return void res.end("TOO LARGE");
      res.end(
        JSON.stringify({
          method: request.method,
          url: request.url,
          cookie: request.headers.get("cookie"),
          xff: request.headers.get("x-forwarded-for"),
          body: await request.text(),
        }),
      );
    };
    const r = await send({
      path: "/api/trpc/createOrder?x=1",
      headers: { cookie: "wxpay_session=abc", "content-type": "application/json" },
      chunks: ['{"items":[]}'],
    });
    expect(JSON.parse(r.body.toString())).toEqual({
      method: "POST",
      url: `http://127.0.0.1:${port}/api/trpc/createOrder?x=1`,
      cookie: "wxpay_session=abc",
      xff: "127.0.0.1",
      body: '{"items":[]}',
    });
    expect((await send({ chunks: ["x".repeat(2000)] })).body.toString()).toBe("TOO LARGE");
    const get = await send({ method: "GET", path: "/api/trpc/products" });
    expect(JSON.parse(get.body.toString())).toMatchObject({ method: "GET", body: "" });
  });
});
