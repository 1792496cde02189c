// WeChat's XML: a flat <xml> of simple elements. This is a strict, purpose-built tokenizer, not a general
// XML parser: anything a WeChat message never contains (DTDs, entities beyond the five predefined ones,
// attributes, nesting, repeated tags, comments, processing instructions) is a typed rejection. It never
// resolves anything, so XXE (WeChat's 2018 advisory, chapter=23_5) has nothing to work with, and it runs in
// one linear pass with O(1) nesting depth, so hostile structure cannot block the event loop.
import { WechatPayError } from "../shared/errors";
import type { WireFields } from "./sign";

export type XmlErrorCode =
  | "XML_TOO_LARGE"
  | "XML_DOCTYPE"
  | "XML_BAD_ROOT"
  | "XML_NESTED"
  | "XML_DUPLICATE"
  | "XML_MALFORMED"
  | "XML_NOT_UTF8";

export class XmlError extends WechatPayError {
  declare readonly code: XmlErrorCode;
  constructor(code: XmlErrorCode, message: string, details?: Readonly<Record<string, unknown>>) {
    super(code, message, details === undefined ? {} : { details });
  }
}

/** A real notify is ≈ 0.7 KB; 64 KiB is generous and keeps the worst-case parse far below WeChat's 5 s. */
export const DEFAULT_MAX_XML_BYTES = 64 * 1024;

export type ParseXmlOptions = {
  maxBytes?: number;
  /** Root element name. WeChat messages use `xml`; the decrypted refund `req_info` uses `root`. */
  root?: string;
};

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_NAME_LENGTH = 64;
/** Names that would shadow or reach Object.prototype members if a caller ever copied fields into a plain object. */
const FORBIDDEN_NAMES = new Set([
  "__proto__",
  "constructor",
  "prototype",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "toString",
  "valueOf",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
]);
// XML 1.0 Char production: tab, LF, CR and everything from U+0020 except U+FFFE/U+FFFF (surrogates checked separately).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ILLEGAL_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const LONE_SURROGATE = /\p{Cs}/u;
const DECLARATION =
  /^<\?xml(\s+version\s*=\s*(["'])1\.[0-9]\2)?(\s+encoding\s*=\s*(["'])([A-Za-z0-9._-]+)\4)?(\s+standalone\s*=\s*(["'])(yes|no)\7)?\s*\?>/;
const DTD_MARKUP = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;
const PRECHECK =
  // eslint-disable-next-line no-control-regex -- ILLEGAL_CHAR and DTD_MARKUP in one pass
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function decode(raw: string | Uint8Array, maxBytes: number): string {
  if (typeof raw === "string") {
    // UTF-8 needs at least one byte per UTF-16 code unit, so a long string is too large without counting.
    if (raw.length > maxBytes || (raw.length * 3 > maxBytes && Buffer.byteLength(raw, "utf8") > maxBytes)) {
      throw new XmlError("XML_TOO_LARGE", `XML body exceeds ${maxBytes} bytes`);
    }
    if (LONE_SURROGATE.test(raw)) throw new XmlError("XML_NOT_UTF8", "XML body is not valid Unicode");
    return raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  }
  if (!(raw instanceof Uint8Array)) throw new XmlError("XML_MALFORMED", "XML body must be a string or bytes");
  if (raw.byteLength > maxBytes) throw new XmlError("XML_TOO_LARGE", `XML body exceeds ${maxBytes} bytes`);
  try {
    return utf8.decode(raw); // fatal: any invalid sequence throws; a leading BOM is dropped
  } catch {
    // WeChat: "API v2 仅支持UTF-8"; the server answers NOT_UTF8 for anything else.
    throw new XmlError("XML_NOT_UTF8", "XML body is not valid UTF-8");
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

function isNameChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

function malformed(message: string, at: number): XmlError {
  return new XmlError("XML_MALFORMED", message, { at });
}

/** Reads `<name` + optional space + `>` (or `/>`) at `i` (which points at '<'). */
function readOpenTag(s: string, i: number): { name: string; end: number; selfClosing: boolean } {
  let j = i + 1;
  while (j < s.length && isNameChar(s.charCodeAt(j))) j++;
  const name = s.slice(i + 1, j);
  j = skipSpace(s, j);
  if (j >= s.length) throw malformed("truncated XML in a start tag", i);
  const c = s.charCodeAt(j);
  if (c === 0x3e /* > */) return { name, end: j + 1, selfClosing: false };
  if (c === 0x2f /* / */ && s.charCodeAt(j + 1) === 0x3e) return { name, end: j + 2, selfClosing: true };
  if (j + 1 >= s.length) throw malformed("truncated XML in a start tag", i);
  throw malformed("attributes and unexpected characters in tags are not accepted", j);
}

function checkName(name: string, at: number): void {
  // readOpenTag consumed only [A-Za-z0-9_]; what remains is the length and a leading digit.
  const first = name.charCodeAt(0);
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || (first >= 0x30 && first <= 0x39)) {
    throw malformed("invalid element name", at);
  }
  if (FORBIDDEN_NAMES.has(name)) throw malformed(`element name "${name}" is not accepted`, at);
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decodes the five predefined entities and numeric character references; anything else is an error. */
function decodeText(text: string, at: number): string {
  if (text.indexOf("]]>") !== -1) throw malformed("']]>' is not allowed in text", at);
  if (text.indexOf("&") === -1) return text;
  let out = "";
  let i = 0;
  for (;;) {
    const amp = text.indexOf("&", i);
    if (amp === -1) return out + text.slice(i);
    out += text.slice(i, amp);
    const semi = text.indexOf(";", amp);
    if (semi === -1 || semi - amp > 10) throw malformed("unterminated entity reference", at + amp);
    const ref = text.slice(amp + 1, semi);
    const named = Object.hasOwn(PREDEFINED, ref) ? PREDEFINED[ref] : undefined;
    if (named !== undefined) {
      out += named;
    } else if (/^#[0-9]{1,7}$/.test(ref) || /^#x[0-9A-Fa-f]{1,6}$/.test(ref)) {
      const cp = ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      const isChar =
        cp === 0x9 ||
        cp === 0xa ||
        cp === 0xd ||
        (cp >= 0x20 && cp <= 0xd7ff) ||
        (cp >= 0xe000 && cp <= 0xfffd) ||
        (cp >= 0x10000 && cp <= 0x10ffff);
      if (!isChar) throw malformed("character reference to an illegal character", at + amp);
      out += String.fromCodePoint(cp);
    } else {
      // Only the five predefined entities exist without a DTD, and a DTD is never accepted.
      throw malformed(`undeclared entity "&${ref};"`, at + amp);
    }
    i = semi + 1;
  }
}

/**
 * Parses a flat WeChat XML message into a null-prototype map of exact strings. Values are kept byte-exact:
 * no number coercion and no trimming. Plain text and CDATA are both accepted (WeChat mixes them, e.g.
 * a bare `<total_fee>1</total_fee>`); when an element holds CDATA, whitespace-only text around it is layout.
 * Line ends are deliberately not normalised (XML 1.0 §2.11 would turn "\r\n" into "\n"): the signature covers
 * the value WeChat signed, so the value must be the characters it sent.
 * Throws XmlError and nothing else.
 */
export function parseXml(raw: string | Uint8Array, opts: ParseXmlOptions = {}): WireFields {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const rootName = opts.root ?? "xml";
  const s = decode(raw, maxBytes);

  // DTD markup is refused before any parsing (WeChat XXE advisory: forbid DOCTYPE entirely). One combined scan
  // for the common case; the precise reason is only worked out when it matches.
  if (PRECHECK.test(s)) {
    if (DTD_MARKUP.test(s)) throw new XmlError("XML_DOCTYPE", "DTD and entity declarations are not accepted");
    throw new XmlError("XML_MALFORMED", "XML contains characters that XML 1.0 forbids");
  }

  let i = skipSpace(s, 0);
  if (s.startsWith("<?xml", i)) {
    const decl = DECLARATION.exec(s.slice(i, i + 200));
    if (!decl) throw malformed("malformed XML declaration", i);
    const encoding = decl[5];
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
      throw new XmlError("XML_NOT_UTF8", `declared encoding ${encoding} is not UTF-8`);
    }
    i = skipSpace(s, i + decl[0].length);
  }
  if (i >= s.length) throw malformed("empty XML body", i);
  if (s.charCodeAt(i) !== 0x3c || !isNameChar(s.charCodeAt(i + 1)))
    throw malformed("expected the root element", i);
  const root = readOpenTag(s, i);
  if (root.name !== rootName) throw new XmlError("XML_BAD_ROOT", `root element must be <${rootName}>`);
  const fields: WireFields = Object.create(null) as WireFields;
  i = root.end;
  if (root.selfClosing) return finish(s, i, fields);

  for (;;) {
    i = skipSpace(s, i);
    if (i >= s.length) throw malformed("truncated XML: root element not closed", i);
    if (s.charCodeAt(i) !== 0x3c) throw malformed("text directly inside the root element", i);
    const next = s.charCodeAt(i + 1);
    if (next === 0x2f /* / */) {
      i = readCloseTag(s, i, rootName);
      return finish(s, i, fields);
    }
    if (!isNameChar(next)) throw malformed("expected an element", i);
    const tag = readOpenTag(s, i);
    checkName(tag.name, i);
    if (Object.hasOwn(fields, tag.name)) {
      throw new XmlError("XML_DUPLICATE", `element <${tag.name}> appears more than once`, {
        field: tag.name,
      });
    }
    if (tag.selfClosing) {
      fields[tag.name] = "";
      i = tag.end;
      continue;
    }
    const content = readContent(s, tag.end, tag.name);
    fields[tag.name] = content.value;
    i = content.end;
  }
}

function finish(s: string, i: number, fields: WireFields): WireFields {
  if (skipSpace(s, i) !== s.length) throw malformed("content after the root element", i);
  return fields;
}

function readCloseTag(s: string, i: number, name: string): number {
  // s[i] === '<' and s[i+1] === '/'
  if (!s.startsWith(name, i + 2)) {
    if (i + 2 + name.length > s.length) throw malformed("truncated XML in an end tag", i);
    throw malformed(`end tag does not match <${name}>`, i);
  }
  const j = skipSpace(s, i + 2 + name.length);
  if (j >= s.length) throw malformed("truncated XML in an end tag", i);
  if (s.charCodeAt(j) !== 0x3e) throw malformed(`end tag does not match <${name}>`, i);
  return j + 1;
}

/** Element content up to and including `</name>`: text and CDATA sections, no child elements. */
function readContent(s: string, start: number, name: string): { value: string; end: number } {
  // Fast path for WeChat's own layout, <k><![CDATA[v]]></k>: one section, then the end tag.
  if (s.startsWith("<![CDATA[", start)) {
    const close = s.indexOf("]]>", start + 9);
    if (
      close !== -1 &&
      s.charCodeAt(close + 3) === 0x3c &&
      s.charCodeAt(close + 4) === 0x2f &&
      s.startsWith(name, close + 5)
    ) {
      const gt = close + 5 + name.length;
      if (s.charCodeAt(gt) === 0x3e) return { value: s.slice(start + 9, close), end: gt + 1 };
    }
  }
  let i = start;
  let text = ""; // everything, as XML defines the value
  let sections = ""; // CDATA sections only
  let sawCdata = false;
  let textIsLayout = true; // only whitespace outside CDATA so far
  for (;;) {
    const lt = s.indexOf("<", i);
    if (lt === -1) throw malformed(`truncated XML: <${name}> not closed`, i);
    if (lt > i) {
      const raw = s.slice(i, lt);
      if (textIsLayout && !WHITESPACE_ONLY.test(raw)) textIsLayout = false;
      text += decodeText(raw, i);
    }
    const c = s.charCodeAt(lt + 1);
    if (c === 0x2f /* / */) {
      const end = readCloseTag(s, lt, name);
      // WeChat wraps strings as <k><![CDATA[v]]></k>; indentation around the CDATA section is not part of v.
      return { value: sawCdata && textIsLayout ? sections : text, end };
    }
    if (c === 0x21 /* ! */ && s.startsWith("<![CDATA[", lt)) {
      const close = s.indexOf("]]>", lt + 9);
      if (close === -1) throw malformed("unterminated CDATA section", lt);
      const section = s.slice(lt + 9, close);
      sawCdata = true;
      text += section;
      sections += section;
      i = close + 3;
      continue;
    }
    if (lt + 1 >= s.length) throw malformed(`truncated XML: <${name}> not closed`, lt);
    if (isNameChar(c))
      throw new XmlError("XML_NESTED", `element <${name}> contains a child element`, { field: name });
    throw malformed(`unexpected markup inside <${name}>`, lt);
  }
}

const WHITESPACE_ONLY = /^[ \t\r\n]*$/;
const CDATA_END = /]]>/g;

function cdata(v: string): string {
  // "]]>" cannot appear inside one CDATA section: split it across two.
  return "<![CDATA[" + (v.indexOf("]]>") === -1 ? v : v.replace(CDATA_END, "]]]]><![CDATA[>")) + "]]>";
}

/**
 * `<xml>` with one element per field, in the given order: strings in CDATA, numbers bare
 * (WeChat's own format, e.g. `<total_fee>1</total_fee>`). Values are written exactly; nothing is trimmed.
 */
export function buildXml(fields: Readonly<Record<string, string | number>>): string {
  let out = "<xml>";
  for (const name of Object.keys(fields)) {
    if (name.length > MAX_NAME_LENGTH || !NAME.test(name) || FORBIDDEN_NAMES.has(name)) {
      throw new WechatPayError("BAD_FIELD_NAME", `field name "${name}" cannot be an XML element`);
    }
    const v = fields[name];
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) {
        throw new WechatPayError("BAD_FIELD_VALUE", `field ${name} is not a safe integer`, {
          details: { field: name },
        });
      }
      out += "<" + name + ">" + String(v) + "</" + name + ">";
    } else if (typeof v === "string") {
      if (ILLEGAL_CHAR.test(v) || LONE_SURROGATE.test(v)) {
        throw new WechatPayError("BAD_FIELD_VALUE", `field ${name} contains characters XML cannot carry`, {
          details: { field: name },
        });
      }
      out += "<" + name + ">" + cdata(v) + "</" + name + ">";
    } else {
      throw new WechatPayError("BAD_FIELD_VALUE", `field ${name} must be a string or an integer`, {
        details: { field: name },
      });
    }
  }
  return out + "</xml>";
}
