import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { canonicalString, sign, verifySign } from "../../src/v2/sign";
import { vectors } from "./vectors";

describe("sign: the official vectors", () => {
  for (const v of vectors.sign) {
    it(`${v.name} gives ${v.expected}`, () => {
      expect(sign(v.params, v.key, v.signType)).toBe(v.expected);
      expect(verifySign({ ...v.params, sign: v.expected }, [v.key], v.signType)).toBe(true);
    });
  }

  it("builds the documented stringA", () => {
    const v = vectors.sign[0];
    expect(v).toBeDefined();
    expect(canonicalString(v?.params ?? {})).toBe(
      "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA",
    );
  });
});

describe("canonicalString", () => {
  it("skips empty, null and undefined values and the sign field, keeps '0' and unknown fields", () => {
    expect(
      canonicalString({
        b: "2",
        a: "1",
        sign: "X",
        empty: "",
        nil: null,
        undef: undefined,
        zero: "0",
        zz_new_field: "n",
      }),
    ).toBe("a=1&b=2&zero=0&zz_new_field=n");
  });

  it("sorts by ASCII code (upper case before lower case, '_' between)", () => {
    expect(canonicalString({ b: "1", B: "2", a_b: "3", a: "4", aB: "5" })).toBe("B=2&a=4&aB=5&a_b=3&b=1");
  });

  it("signs values raw: no escaping of &, =, < or spaces", () => {
    expect(canonicalString({ body: "a&b=c <d>", attach: " x " })).toBe("attach= x &body=a&b=c <d>");
  });

  it("writes integers bare and refuses non-integers", () => {
    expect(canonicalString({ total_fee: 1 })).toBe("total_fee=1");
    expect(() => canonicalString({ total_fee: 0.1 })).toThrow(/safe integer/);
  });
});

describe("verifySign", () => {
  const key = "192006250b4c09247ec02edce69f6a2d";
  const previous = "0123456789abcdef0123456789abcdef";
  const fields = { appid: "wxd930ea5d5a258f4f", mch_id: "1230000109", total_fee: "1", nonce_str: "n" };

  it("accepts a signature made with the previous key during rotation", () => {
    const s = sign(fields, previous, "MD5");
    expect(verifySign({ ...fields, sign: s }, [key, previous], "MD5")).toBe(true);
    expect(verifySign({ ...fields, sign: s }, [key], "MD5")).toBe(false);
  });

  it("is pinned to the configured sign type", () => {
    const md5 = sign(fields, key, "MD5");
    const hmac = sign(fields, key, "HMAC-SHA256");
    expect(verifySign({ ...fields, sign: md5 }, [key], "HMAC-SHA256")).toBe(false);
    expect(verifySign({ ...fields, sign: hmac }, [key], "MD5")).toBe(false);
    expect(verifySign({ ...fields, sign: hmac }, [key], "HMAC-SHA256")).toBe(true);
  });

  it("rejects a missing, empty, short, lower-case or non-hex sign without throwing", () => {
    const good = sign(fields, key, "MD5");
    for (const bad of [undefined, "", good.slice(1), good.toLowerCase(), "Z".repeat(32), good + "00"]) {
      const f: Record<string, string> = { ...fields };
      if (bad !== undefined) f.sign = bad;
      expect(verifySign(f, [key], "MD5")).toBe(false);
    }
  });

  it("rejects with an empty key list or an unknown sign type", () => {
    const good = sign(fields, key, "MD5");
    expect(verifySign({ ...fields, sign: good }, [], "MD5")).toBe(false);
    expect(verifySign({ ...fields, sign: good }, [""], "MD5")).toBe(false);
    expect(verifySign({ ...fields, sign: good }, [key], "SHA1" as "MD5")).toBe(false);
  });

  it("does not read sign from a prototype", () => {
    const proto = { sign: sign(fields, key, "MD5") };
    const f = Object.assign(Object.create(proto) as Record<string, string>, fields);
    expect(verifySign(f, [key], "MD5")).toBe(false);
  });

  it("sign refuses an empty key and an unknown type", () => {
    expect(() => sign(fields, "", "MD5")).toThrow(/empty/);
    expect(() => sign(fields, key, "SHA1" as "MD5")).toThrow(/sign type/);
  });

  it("property: changing any one character of any signed value fails verification", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/),
          fc.string({ minLength: 1, maxLength: 20 }),
          {
            minKeys: 1,
            maxKeys: 12,
          },
        ),
        fc.constantFrom("MD5" as const, "HMAC-SHA256" as const),
        fc.nat(),
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 1 }),
        (map, signType, which, pos, ch) => {
          const f: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, map);
          delete f.sign;
          const names = Object.keys(f);
          fc.pre(names.length > 0);
          f.sign = sign(f, key, signType);
          expect(verifySign(f, [key], signType)).toBe(true);
          const name = names[which % names.length] as string;
          const value = f[name] as string;
          const at = pos % value.length;
          fc.pre(value[at] !== ch);
          const tampered = { ...f, [name]: value.slice(0, at) + ch + value.slice(at + 1) };
          // An edit that empties the value drops the field from the signed string: still a change.
          expect(verifySign(tampered, [key], signType)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
