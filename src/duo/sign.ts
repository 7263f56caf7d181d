/**
 * Duo request signing (spec §6.1 "Request shape", §6.2): parameter canonicalisation, signature
 * versions 1, 2, 4 and 5, the RFC 2822 `Date`, the canonical JSON body of v5 and the
 * `Authorization: Basic` header. Pure functions, no I/O; the server-side check used by the fake
 * Duo API and the push simulator lives in ./verify.ts and is re-exported here.
 */
import { createHash, createHmac } from 'node:crypto';

/** Request parameters: a value or the list of values of a repeated name. */
export type DuoParams = Readonly<Record<string, string | readonly string[]>>;

/** Digest used by the HMAC of signature version 2 (v1 is always SHA1, v4/v5 always SHA512). */
export type SigDigest = 'sha1' | 'sha512';

/**
 * Percent-encodes UTF-8 bytes of `s`, keeping only the RFC 3986 §2.3 unreserved characters
 * `A-Z a-z 0-9 _ . - ~` (spec §6.1; Python's `urllib.parse.quote(s, '~')`). Unlike `encodeURIComponent` this also escapes `! ' ( ) *`;
 * space becomes `%20`, hex digits are upper-case.
 */
export function duoQuote(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Canonical parameter string (spec §6.2): every name and value quoted with {@link duoQuote},
 * pairs sorted by encoded name and then by encoded value, joined as `name=value` with `&`.
 * The same text is the form body of a POST and the query string of a GET.
 */
export function canonParams(params: DuoParams): string {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(params)) {
    const values = typeof value === 'string' ? [value] : value;
    for (const v of values) pairs.push([duoQuote(name), duoQuote(v)]);
  }
  // Encoded text is pure ASCII, so UTF-16 order is byte order (what Python's sort gives).
  pairs.sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Formats `d` as Duo's signed `Date` header: RFC 2822 §3.3 in English, UTC, zone `-0000`
 * (Python's `email.utils.formatdate()`), e.g. `Tue, 21 Aug 2012 17:29:18 -0000`.
 */
export function rfc2822Date(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return (
    `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} -0000`
  );
}

/** A JSON value as accepted by {@link canonJson}. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [k: string]: JsonValue };

/**
 * Canonical JSON of a v5 body (spec §6.2): keys sorted by code point at every level, separators
 * `,` and `:` without spaces, every character outside printable ASCII escaped as `\uxxxx`
 * (lower-case hex, surrogate pairs for astral characters) — byte for byte what Python's
 * `json.dumps(v, sort_keys=True, separators=(',', ':'))` produces. The body sent must be the
 * body hashed, so callers send exactly this string.
 */
export function canonJson(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return jsonString(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError('canonJson: non-finite number');
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${(v as readonly JsonValue[]).map(canonJson).join(',')}]`;
  const obj = v as { readonly [k: string]: JsonValue };
  const keys = Object.keys(obj).sort(codePointCompare);
  return `{${keys.map((k) => `${jsonString(k)}:${canonJson(obj[k] as JsonValue)}`).join(',')}}`;
}

function codePointCompare(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const y = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

const JSON_SHORT: Readonly<Record<string, string>> = {
  '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f',
};

function jsonString(s: string): string {
  // Python's ensure_ascii escapes everything outside ' '..'~' (0x7f included).
  const body = s.replace(/["\\]|[^\x20-\x7e]/g, (c) => {
    return JSON_SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `"${body}"`;
}

/** SHA-512 of `data` (UTF-8 for strings) as lower-case hex. */
export function sha512Hex(data: string | Uint8Array): string {
  return createHash('sha512').update(data).digest('hex');
}

/**
 * Hash of the `X-Duo-*` headers for signature v5 (spec §6.2): names lower-cased and sorted,
 * joined as `name\0value\0name\0value…`, SHA-512 hex; the hash of `""` when there are none.
 * Throws a `TypeError` for a non-`X-Duo-` name, a NUL, or a name given twice.
 */
export function duoHeadersHash(headers: Readonly<Record<string, string>> = {}): string {
  const seen = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('x-duo-')) throw new TypeError(`not an X-Duo header: '${name}'`);
    if (name.includes('\0') || value.includes('\0')) throw new TypeError('NUL in an X-Duo header');
    if (seen.has(lower)) throw new TypeError(`X-Duo header given twice: '${name}'`);
    seen.set(lower, value);
  }
  const names = [...seen.keys()].sort(cmp);
  return sha512Hex(names.flatMap((n) => [n, seen.get(n) ?? '']).join('\0'));
}

/** Everything a signature covers. `params` are the form/query parameters (absent for JSON). */
export interface SignInput {
  readonly method: string;
  /** The API host as configured, without port; lower-cased here. */
  readonly host: string;
  readonly path: string;
  readonly params?: DuoParams;
  /** v4/v5: the exact body text sent (`""` for GET). */
  readonly body?: string;
  /** v2/v4/v5: the `Date` header value. */
  readonly date?: string;
  /** v5: `X-Duo-*` headers sent with the request. */
  readonly duoHeaders?: Readonly<Record<string, string>>;
}

/** The signature versions Duo accepts (spec §6.2). */
export type SigVersion = 1 | 2 | 4 | 5;

/**
 * The canonical text that gets HMAC-ed, lines joined with `\n` (spec §6.2 table):
 * v1 METHOD, host, path, params; v2 Date first; v4 adds SHA512(body) with params `""` for a JSON
 * body; v5 adds SHA512(X-Duo headers) too.
 */
export function canonicalRequest(version: SigVersion, req: SignInput): string {
  const head = [req.method.toUpperCase(), req.host.toLowerCase(), req.path];
  const params = canonParams(req.params ?? {});
  if (version === 1) return [...head, params].join('\n');
  const date = req.date ?? '';
  if (version === 2) return [date, ...head, params].join('\n');
  const bodyHash = sha512Hex(req.body ?? '');
  if (version === 4) return [date, ...head, params, bodyHash].join('\n');
  return [date, ...head, params, bodyHash, duoHeadersHash(req.duoHeaders)].join('\n');
}

/** The HMAC digest a version uses: v1 SHA1, v2 selectable, v4/v5 SHA512. */
export function digestFor(version: SigVersion, v2Digest: SigDigest = 'sha512'): SigDigest {
  return version === 1 ? 'sha1' : version === 2 ? v2Digest : 'sha512';
}

/** Lower-case hex HMAC of the canonical request keyed with the skey's bytes. */
export function signRequest(version: SigVersion, req: SignInput, skey: string, v2Digest?: SigDigest): string {
  return createHmac(digestFor(version, v2Digest), skey).update(canonicalRequest(version, req), 'utf8').digest('hex');
}

/**
 * `Basic base64("<ikey>:<hex signature>")`, the value of the `Authorization` header (RFC 7617 §2
 * Basic scheme with the ikey as user-id and the signature as password).
 */
export function basicAuthorization(ikey: string, signature: string): string {
  return `Basic ${Buffer.from(`${ikey}:${signature}`, 'utf8').toString('base64')}`;
}

export { verifySignature } from './verify.js';
export type { VerifyInput, VerifyResult } from './verify.js';
