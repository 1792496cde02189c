import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { sign, verifySign } from "../../src/v2/sign";
import { buildXml, DEFAULT_MAX_XML_BYTES, parseXml, XmlError } from "../../src/v2/xml";
import type { XmlErrorCode } from "../../src/v2/xml";
import { vectors } from "./vectors";

function rejection(raw: string | Uint8Array, opts?: { maxBytes?: number }): XmlErrorCode {
  try {
    parseXml(raw, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(XmlError);
    return (e as XmlError).code;
  }
  throw new Error("parseXml accepted hostile input");
}

describe("parseXml on WeChat's own messages", () => {
  it("parses the official notify sample, mixing CDATA and bare values, as exact strings", () => {
    const f = parseXml(vectors.notifySample.xml);
    expect(Object.getPrototypeOf(f)).toBeNull();
    expect(f.total_fee).toBe("1");
    expect(f.transaction_id).toBe("1004400740201409030005092168");
    expect(f.attach).toBe("支付测试");
    expect(f.out_trade_no).toBe("1409811653");
    expect(f.coupon_fee).toBe("10");
    expect(Object.keys(f)).toHaveLength(20);
  });

  it("keeps a 28-digit transaction_id, leading zeros and an exponent-looking value untouched", () => {
    const f = parseXml(
      "<xml><transaction_id>4200000215201811190261405420</transaction_id><out_trade_no>000123</out_trade_no><total_fee>1e3</total_fee></xml>",
    );
    expect(f.transaction_id).toBe("4200000215201811190261405420");
    expect(f.out_trade_no).toBe("000123");
    expect(f.total_fee).toBe("1e3");
  });

  it("keeps whitespace inside values and CDATA, drops only indentation around a CDATA section", () => {
    const f = parseXml(
      "<xml>\n <a>  spaced  </a>\n <b>\n   <![CDATA[ kept ]]>\n </b>\n <c><![CDATA[x]]>y</c>\n</xml>\n",
    );
    expect(f.a).toBe("  spaced  ");
    expect(f.b).toBe(" kept ");
    expect(f.c).toBe("xy");
  });

  it("accepts an XML declaration, a BOM, empty and self-closing elements, and predefined entities", () => {
    const f = parseXml(
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<xml><a></a><b/><c>&lt;&amp;&gt;&quot;&apos;&#20013;&#x6587;</c></xml>',
    );
    expect(f.a).toBe("");
    expect(f.b).toBe("");
    expect(f.c).toBe("<&>\"'中文");
  });

  it("takes CDATA values only up to a matching end tag", () => {
    expect(parseXml("<xml><a><![CDATA[x]]></a ></xml>").a).toBe("x");
    expect(rejection("<xml><a><![CDATA[x]]></ab></xml>")).toBe("XML_MALFORMED");
    expect(rejection("<xml><ab><![CDATA[x]]></a></xml>")).toBe("XML_MALFORMED");
    expect(parseXml("<xml><a><![CDATA[x]]><![CDATA[]]]]><![CDATA[>]]></a></xml>").a).toBe("x]]>");
  });

  it("parses bytes as UTF-8", () => {
    expect(parseXml(Buffer.from("<xml><body>商品</body></xml>", "utf8")).body).toBe("商品");
  });

  it("uses another root when asked (refund req_info is <root>)", () => {
    expect(parseXml(vectors.refundNotifySample.plainXml, { root: "root" }).refund_fee).toBe("3960");
    expect(rejection(vectors.refundNotifySample.plainXml)).toBe("XML_BAD_ROOT");
  });
});

// CPU time of this process, not wall time: the bound is on the parser's work, which neighbours on a shared
// host cannot inflate.
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

describe("parseXml under hostile input: each a typed XmlError, quickly", () => {
  const cases: [string, string | Uint8Array, XmlErrorCode][] = [
    [
      "an external entity (XXE)",
      '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>',
      "XML_DOCTYPE",
    ],
    [
      "a parameter entity",
      '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1/x">%p;]><xml/>',
      "XML_DOCTYPE",
    ],
    ["a lower-case doctype", "<!doctype xml><xml></xml>", "XML_DOCTYPE"],
    ["a DOCTYPE with space after <!", "<! DOCTYPE xml><xml></xml>", "XML_DOCTYPE"],
    ["an ENTITY without DOCTYPE", '<xml><!ENTITY a "b"><a>1</a></xml>', "XML_DOCTYPE"],
    [
      "billion laughs",
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><xml><a>&lol2;</a></xml>',
      "XML_DOCTYPE",
    ],
    ["an undeclared entity", "<xml><a>&xxe;</a></xml>", "XML_MALFORMED"],
    ["a character reference to NUL", "<xml><a>&#0;</a></xml>", "XML_MALFORMED"],
    ["a wrong root", "<root><a>1</a></root>", "XML_BAD_ROOT"],
    ["an HTML page", "<html><body>502</body></html>", "XML_BAD_ROOT"],
    ["a nested element", "<xml><a><b>1</b></a></xml>", "XML_NESTED"],
    ["a duplicate tag", "<xml><total_fee>1</total_fee><total_fee>100</total_fee></xml>", "XML_DUPLICATE"],
    ["a __proto__ tag", '<xml><__proto__><![CDATA[{"polluted":1}]]></__proto__></xml>', "XML_MALFORMED"],
    ["a constructor tag", "<xml><constructor>1</constructor></xml>", "XML_MALFORMED"],
    ["a prototype tag", "<xml><prototype>1</prototype></xml>", "XML_MALFORMED"],
    ["a toString tag", "<xml><toString>1</toString></xml>", "XML_MALFORMED"],
    ["an attribute", '<xml><a b="c">1</a></xml>', "XML_MALFORMED"],
    ["a root attribute", '<xml x="1"><a>1</a></xml>', "XML_MALFORMED"],
    ["a mismatched end tag", "<xml><a>1</b></xml>", "XML_MALFORMED"],
    ["text in the root", "<xml>oops<a>1</a></xml>", "XML_MALFORMED"],
    ["content after the root", "<xml><a>1</a></xml><xml></xml>", "XML_MALFORMED"],
    ["a comment", "<xml><!-- c --><a>1</a></xml>", "XML_MALFORMED"],
    ["a processing instruction", "<xml><?php echo 1 ?><a>1</a></xml>", "XML_MALFORMED"],
    ["']]>' in text", "<xml><a>x]]>y</a></xml>", "XML_MALFORMED"],
    ["an unterminated CDATA", "<xml><a><![CDATA[x</a></xml>", "XML_MALFORMED"],
    ["a NUL byte", "<xml><a>\u0000</a></xml>", "XML_MALFORMED"],
    ["an empty body", "", "XML_MALFORMED"],
    ["whitespace only", "  \n ", "XML_MALFORMED"],
    ["JSON", '{"return_code":"SUCCESS"}', "XML_MALFORMED"],
    ["plain 'success'", "success", "XML_MALFORMED"],
    ["a non-UTF-8 encoding declaration", '<?xml version="1.0" encoding="GBK"?><xml></xml>', "XML_NOT_UTF8"],
    [
      "GBK bytes",
      new Uint8Array([
        ...Buffer.from("<xml><body>"),
        0xc9,
        0xcc,
        0xc6,
        0xb7,
        ...Buffer.from("</body></xml>"),
      ]),
      "XML_NOT_UTF8",
    ],
    [
      "an overlong UTF-8 sequence",
      new Uint8Array([...Buffer.from("<xml><a>"), 0xc0, 0xbc, ...Buffer.from("</a></xml>")]),
      "XML_NOT_UTF8",
    ],
    ["a lone surrogate in a string", "<xml><a>\uD800</a></xml>", "XML_NOT_UTF8"],
    ["an invalid element name", "<xml><1a>1</1a></xml>", "XML_MALFORMED"],
  ];
  for (const [name, raw, code] of cases) {
    it(`${name} → ${code}`, () => {
      expect(rejection(raw)).toBe(code);
    });
  }

  it("every truncation of a valid message is a typed rejection", () => {
    const full = buildXml({ appid: "wx2421b1c4370ec43b", total_fee: 1, body: "a]]>b" });
    for (let n = 0; n < full.length; n++) {
      expect(rejection(full.slice(0, n))).toBe("XML_MALFORMED");
    }
  });

  it("refuses an oversized body before looking at it, by string length and by bytes", () => {
    const big = "<xml><a>" + "x".repeat(DEFAULT_MAX_XML_BYTES) + "</a></xml>";
    expect(rejection(big)).toBe("XML_TOO_LARGE");
    expect(rejection(Buffer.from(big))).toBe("XML_TOO_LARGE");
    // 30 000 three-byte characters: under the cap in UTF-16 units, over it in UTF-8 bytes.
    expect(rejection("<xml><a>" + "中".repeat(30_000) + "</a></xml>")).toBe("XML_TOO_LARGE");
    expect(rejection("<xml><a>12345</a></xml>", { maxBytes: 10 })).toBe("XML_TOO_LARGE");
  });

  it("deep nesting under the cap is rejected at the first child, in well under 50 ms", () => {
    const depth = 6000;
    const deep = "<xml>" + "<a>".repeat(depth) + "</a>".repeat(depth) + "</xml>";
    const t0 = process.cpuUsage();
    expect(rejection(deep)).toBe("XML_NESTED");
    expect(cpuMsSince(t0)).toBeLessThan(50);
  });

  it("a cap-sized body of entity references or many fields parses or fails in well under 100 ms", () => {
    const refs = "<xml><a>" + "&#x4e2d;".repeat(Math.floor((DEFAULT_MAX_XML_BYTES - 30) / 8)) + "</a></xml>";
    const many = "<xml>" + Array.from({ length: 4000 }, (_, i) => `<f${i}>1</f${i}>`).join("") + "</xml>";
    const t0 = process.cpuUsage();
    expect(parseXml(refs).a).toHaveLength(Math.floor((DEFAULT_MAX_XML_BYTES - 30) / 8));
    expect(Object.keys(parseXml(many))).toHaveLength(4000);
    expect(cpuMsSince(t0)).toBeLessThan(100);
  });

  it("never touches Object.prototype", () => {
    for (const raw of ["<xml><__proto__>x</__proto__></xml>", "<xml><polluted>yes</polluted></xml>"]) {
      try {
        parseXml(raw);
      } catch {
        // typed rejection, checked above
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("x");
  });

  it("property: random bytes never throw anything but XmlError", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 200 })),
        (raw) => {
          try {
            parseXml(raw);
          } catch (e) {
            expect(e).toBeInstanceOf(XmlError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("property: mangled valid messages never throw anything but XmlError", () => {
    const base = buildXml({ return_code: "SUCCESS", appid: "wx1", total_fee: 100, attach: "<&]]>" });
    fc.assert(
      fc.property(
        fc.nat(base.length),
        fc.nat(base.length),
        fc.string({ unit: "binary", maxLength: 8 }),
        (a, b, ins) => {
          const [lo, hi] = a < b ? [a, b] : [b, a];
          const raw = base.slice(0, lo) + ins + base.slice(hi);
          try {
            const f = parseXml(raw);
            expect(Object.getPrototypeOf(f)).toBeNull();
          } catch (e) {
            expect(e).toBeInstanceOf(XmlError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("buildXml", () => {
  it("writes strings in CDATA and numbers bare, in order", () => {
    expect(buildXml({ appid: "wx1", total_fee: 1, body: "" })).toBe(
      "<xml><appid><![CDATA[wx1]]></appid><total_fee>1</total_fee><body><![CDATA[]]></body></xml>",
    );
  });

  it("splits ']]>' across CDATA sections", () => {
    expect(buildXml({ a: "x]]>y" })).toBe("<xml><a><![CDATA[x]]]]><![CDATA[>y]]></a></xml>");
    expect(parseXml(buildXml({ a: "x]]>y]]>" })).a).toBe("x]]>y]]>");
  });

  it("refuses names and values XML cannot carry", () => {
    expect(() => buildXml({ "a b": "1" })).toThrow(/field name/);
    expect(() => buildXml({ __proto__x: "1", ["__proto__"]: "1" } as Record<string, string>)).toThrow();
    expect(() => buildXml({ a: "\u0001" })).toThrow(/characters/);
    expect(() => buildXml({ a: 1.5 })).toThrow(/integer/);
  });

  it("property: build → parse → verify round-trips byte-exact", () => {
    const key = "192006250b4c09247ec02edce69f6a2d";
    const value = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 40 }),
      fc.stringMatching(/^[0-9]{1,40}$/), // long digit strings, leading zeros
      fc.constantFrom(
        "",
        " ",
        "0",
        "00012",
        "]]>",
        "a]]>b",
        "<",
        "&",
        "&amp;",
        "<![CDATA[x]]>",
        " lead",
        "trail ",
        "\ttab\r\n",
        "支付测试",
        "é",
      ),
      fc.string({ unit: fc.constantFrom("<", "&", "]", ">", "a", " ", "中", "\n", "\r"), maxLength: 20 }),
    );
    const name = fc
      .stringMatching(/^[a-z][a-z0-9_]{0,20}$/)
      .filter((n) => !["constructor", "sign"].includes(n));
    fc.assert(
      fc.property(
        fc.dictionary(name, value, { maxKeys: 25 }),
        fc.constantFrom("MD5" as const, "HMAC-SHA256" as const),
        fc.option(fc.nat({ max: 2_000_000_000 })),
        (map, signType, fee) => {
          const fields: Record<string, string | number> = { ...map };
          if (fee !== null) fields.total_fee = fee;
          const signed = { ...fields, sign: sign(fields, key, signType) };
          const parsed = parseXml(buildXml(signed));
          const expected: Record<string, string> = {};
          for (const [k, v] of Object.entries(signed)) expected[k] = String(v);
          expect({ ...parsed }).toEqual(expected);
          expect(verifySign(parsed, [key], signType)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
