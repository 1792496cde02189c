// What never reaches a log line, by rule rather than by each call site remembering: secrets (keys, app secrets,
// tokens, tickets, signatures, session cookies, Bearer tokens) are replaced, openids (personal data: one WeChat
// user) are shortened to a recognisable stub. Applied to every field, at any depth, and to the message itself.

export const REDACTED = "[redacted]";

/** Field names whose values are secrets, compared lower-cased with separators removed. */
const SECRET_NAME =
  /(secret|password|passwd|token|ticket|sessionkey|apikey|privatekey|cookie|authorization|sign$|^sign|^key$|key$|^nonce|jscode|^code$)/;
const OPENID_NAME = /(openid|unionid)/;

/** A WeChat openid: "o" and 27 more of [A-Za-z0-9_-] (28 in all). */
const OPENID_VALUE = /\bo[A-Za-z0-9_-]{27}\b/g;
/** Secrets inside text: query strings and form bodies, XML elements, headers. */
const SECRET_IN_TEXT: [RegExp, string][] = [
  [
    /\b(access_token|jsapi_ticket|ticket|secret|appsecret|session_key|js_code|code|sign|paySign|key|refresh_token|token)=([^&\s"'<>]+)/gi,
    `$1=${REDACTED}`,
  ],
  [
    /<(sign|appsecret|key|session_key|req_info)>(?:<!\[CDATA\[)?[^<]*(?:\]\]>)?<\/\1>/gi,
    `<$1>${REDACTED}</$1>`,
  ],
  [/"(access_token|ticket|session_key|secret|sign|paySign|token)"\s*:\s*"[^"]*"/gi, `"$1":"${REDACTED}"`],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/g, `Bearer ${REDACTED}`],
  [/\b(wxpay_session|wxpay_oauth|wxpay_admin[a-z_]*)=[^;\s]+/g, `$1=${REDACTED}`],
];

/** An openid shortened to its first and last 4 characters: enough to tell two apart, not enough to use one. */
export function shortenOpenid(v: string): string {
  return v.length > 10 ? `${v.slice(0, 4)}…${v.slice(-4)}` : "o…";
}

export function redactText(text: string): string {
  let out = text;
  for (const [re, to] of SECRET_IN_TEXT) out = out.replace(re, to);
  return out.replace(OPENID_VALUE, (m) => shortenOpenid(m));
}

function nameOf(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** A log-safe copy of `value`: secrets replaced, openids shortened, errors reduced to type and message. */
export function redactFields(value: unknown, key = "", depth = 0): unknown {
  const name = nameOf(key);
  if (key && SECRET_NAME.test(name)) return value === undefined || value === null ? value : REDACTED;
  if (key && OPENID_NAME.test(name) && typeof value === "string") return shortenOpenid(value);
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 6) return "[too deep]";
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) {
    return {
      type: value.name,
      message: redactText(value.message),
      ...(value.cause !== undefined ? { cause: redactFields(value.cause, "cause", depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redactFields(v, "", depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactFields(v, k, depth + 1);
  return out;
}
