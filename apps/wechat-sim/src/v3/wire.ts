// How the v3 API answers: JSON bodies, HTTP status carrying the outcome, errors as
// `{"code","message","detail"?}` (reference §8), a Request-ID on every answer, and WeChat's signature on every
// answer to a request whose own signature checked out.
import { randomBytes } from "node:crypto";

export type V3Reply = {
  status: number;
  /** A JSON value (serialised once, then signed over those exact bytes); absent for 204. */
  json?: unknown;
  /** A raw stream instead of JSON (the bill download: never signed). */
  raw?: { body: string | Buffer; contentType: string };
  /** Answers before the request's signature is verified are not signed. */
  unsigned?: boolean;
};

export type V3ErrorDetail = { field?: string; value?: unknown; issue?: string; location?: string } & Record<
  string,
  unknown
>;

/** WeChat's internal numbers, shown after the last "-" of a failure's Request-ID (reference §8). */
const INTERNAL_CODE: Record<string, number> = {
  ORDER_NOT_EXIST: 268512771,
  FREQUENCY_LIMITED: 268447840,
  PARAM_ERROR: 268435461,
  ORDER_PAID: 268449538,
  ORDER_CLOSED: 268447914,
  SIGN_ERROR: 268443699,
  APPID_MCHID_NOT_MATCH: 268445527,
  MCH_NOT_EXISTS: 268443715,
};

export function v3Error(status: number, code: string, message: string, detail?: V3ErrorDetail): V3Reply {
  return { status, json: detail === undefined ? { code, message } : { code, message, detail } };
}

/** PARAM_ERROR with a JSON pointer (body) or a parameter name (url/query), as WeChat reports it. */
export function paramError(
  field: string,
  issue: string,
  value?: unknown,
  location: "body" | "query" | "url" = "body",
): V3Reply {
  const detail: V3ErrorDetail = { field, issue, location };
  if (value !== undefined) detail.value = value;
  return v3Error(400, "PARAM_ERROR", "参数错误", detail);
}

export function ok(json: unknown): V3Reply {
  return { status: 200, json };
}

export function noContent(): V3Reply {
  return { status: 204 };
}

/** Like `08F5B8C2B506102C18FDDFEEA30620BE821E28EDC405-0`; failures end in WeChat's internal error number. */
export function requestId(reply: V3Reply): string {
  const code = (reply.json as { code?: unknown } | undefined)?.code;
  const suffix = reply.status >= 400 && typeof code === "string" ? (INTERNAL_CODE[code] ?? 268435456) : 0;
  return `${randomBytes(22).toString("hex").toUpperCase()}-${suffix}`;
}
