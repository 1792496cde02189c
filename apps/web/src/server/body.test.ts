import { describe, expect, it } from "vitest";

import { readBodyCapped } from "./body";

const URL_ = "http://127.0.0.1/api/wechat/pay/notify";

function withLength(body: string | Uint8Array<ArrayBuffer>, length = Buffer.byteLength(body)): Request {
  return new Request(URL_, { method: "POST", body, headers: { "content-length": String(length) } });
}

/** A chunked body (no Content-Length), delivered in pieces. */
function chunked(pieces: Uint8Array[]): Request {
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of pieces) c.enqueue(p);
      c.close();
    },
  });
  return new Request(URL_, { method: "POST", body: stream, duplex: "half" } as RequestInit);
}

describe("a notify body read under the cap", () => {
  it("a body with its Content-Length within the cap is read whole, as UTF-8", async () => {
    const xml = "<xml><body><![CDATA[茶与器]]></body></xml>";
    expect(await readBodyCapped(withLength(xml), 64 * 1024)).toBe(xml);
  });

  it("a declared length above the cap is refused before anything is read", async () => {
    expect(await readBodyCapped(withLength("x".repeat(100), 100), 64)).toBeUndefined();
  });

  it("a chunked body is counted as it arrives and refused once it passes the cap", async () => {
    const piece = new Uint8Array(40).fill(0x61);
    expect(await readBodyCapped(chunked([piece, piece]), 64)).toBeUndefined();
    expect(await readBodyCapped(chunked([piece]), 64)).toBe("a".repeat(40));
  });

  it("malformed UTF-8 becomes U+FFFD (the signature check then fails), never an exception", async () => {
    const bytes = new Uint8Array([0x3c, 0xff, 0x3e]);
    expect(await readBodyCapped(withLength(bytes), 64)).toBe("<\uFFFD>");
  });

  it("an empty body is the empty string", async () => {
    expect(await readBodyCapped(new Request(URL_, { method: "POST" }), 64)).toBe("");
  });
});
