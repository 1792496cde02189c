// Reading a v3 JSON body the way WeChat validates it: a JSON object, no fields it does not know ("参数中含有非法的
// 额外参数"), and each field's type and length, reported as PARAM_ERROR with a JSON pointer.
import { paramError, v3Error, type V3Reply } from "./wire";

export type Json = Record<string, unknown>;

/** WeChat: only characters of one to three UTF-8 bytes are supported. */
const FOUR_BYTE_CHAR = /[\u{10000}-\u{10FFFF}]/u;

export function parseBody(raw: Buffer): Json | V3Reply {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch {
    return paramError("/", "请求体不是合法的JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return paramError("/", "请求体必须是JSON对象");
  return value as Json;
}

export function isV3Reply(v: unknown): v is V3Reply {
  return typeof v === "object" && v !== null && "status" in v && typeof (v as V3Reply).status === "number";
}

/** Field checks that stop at the first failure, in the order they are called. */
export class Fields {
  failure: V3Reply | undefined;
  constructor(
    private readonly body: Json,
    private readonly prefix = "",
  ) {}

  private fail(name: string, issue: string, value?: unknown): undefined {
    this.failure ??= paramError(`${this.prefix}/${name}`, issue, value);
    return undefined;
  }

  onlyKnown(known: readonly string[]): this {
    for (const k of Object.keys(this.body)) {
      if (!known.includes(k)) this.fail(k, "参数中含有非法的额外参数");
    }
    return this;
  }

  string(
    name: string,
    opts: { required?: boolean; max?: number; pattern?: RegExp } = {},
  ): string | undefined {
    const v = this.body[name];
    if (v === undefined) return opts.required ? this.fail(name, `缺少参数${name}`) : undefined;
    if (typeof v !== "string") return this.fail(name, `${name}应为字符串`, v);
    if (opts.required && v === "") return this.fail(name, `${name}不能为空`, v);
    if (opts.max !== undefined && [...v].length > opts.max)
      return this.fail(name, `${name}长度不能超过${opts.max}个字符`, v);
    if (FOUR_BYTE_CHAR.test(v)) return this.fail(name, `${name}不能包含4字节UTF-8字符`, v);
    if (opts.pattern && !opts.pattern.test(v)) return this.fail(name, `${name}格式错误`, v);
    return v;
  }

  integer(name: string, opts: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const v = this.body[name];
    if (v === undefined) return opts.required ? this.fail(name, `缺少参数${name}`) : undefined;
    if (typeof v !== "number" || !Number.isSafeInteger(v)) return this.fail(name, `${name}应为整数`, v);
    if (opts.min !== undefined && v < opts.min) return this.fail(name, `${name}不能小于${opts.min}`, v);
    if (opts.max !== undefined && v > opts.max) return this.fail(name, `${name}超出取值范围`, v);
    return v;
  }

  boolean(name: string): boolean | undefined {
    const v = this.body[name];
    if (v === undefined) return undefined;
    if (typeof v !== "boolean") return this.fail(name, `${name}应为布尔值`, v);
    return v;
  }

  object(name: string, opts: { required?: boolean } = {}): Fields | undefined {
    const v = this.body[name];
    if (v === undefined) return opts.required ? this.fail(name, `缺少参数${name}`) : undefined;
    if (v === null || typeof v !== "object" || Array.isArray(v)) return this.fail(name, `${name}应为对象`, v);
    const inner = new Fields(v as Json, `${this.prefix}/${name}`);
    return inner;
  }

  array(name: string): unknown[] | undefined {
    const v = this.body[name];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return this.fail(name, `${name}应为数组`, v);
    return v;
  }

  /** Adopts a nested object's first failure. */
  take(inner: Fields | undefined): this {
    if (inner?.failure) this.failure ??= inner.failure;
    return this;
  }

  error(name: string, issue: string, value?: unknown): void {
    this.fail(name, issue, value);
  }
}

/** The mchid in the body must be the caller's (observed: "http header中的mchid与post payload中的mchid不匹配"). */
export function mchidMismatch(where: "post payload" | "query"): V3Reply {
  return v3Error(400, "INVALID_REQUEST", `http header中的mchid与${where}中的mchid不匹配`);
}

/** A URL WeChat can call back: absolute http(s), no query string, no fragment. */
export function validNotifyUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === "http:" || url.protocol === "https:") && url.search === "" && !raw.includes("#");
  } catch {
    return false;
  }
}

/** A stable serialisation with sorted keys: two bodies with the same fields in another order are the same request. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Json;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}
