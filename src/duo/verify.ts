/**
 * Server-side check of a Duo request signature (spec §6.2), as the Duo service does it: recompute
 * the canonical request from what arrived and compare HMACs in constant time. Used by the fake
 * Duo API in the tests and by the push simulator.
 */
import { timingSafeEqual } from 'node:crypto';
import { signRequest } from './sign.js';
import type { DuoParams, SigDigest, SigVersion } from './sign.js';

/** What arrived, as the server sees it. */
export interface VerifyInput {
  readonly method: string;
  /** The host the server knows itself as (the signed host), without port. */
  readonly host: string;
  readonly path: string;
  /** Parsed form body or query parameters (v1, v2, and v5 GET). */
  readonly params?: DuoParams;
  /** The raw body text (v4/v5 JSON POST; `""` otherwise). */
  readonly body?: string;
  /** Request headers with lower-case names, as `node:http` delivers them. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The skey of an integration key, or `undefined` for an unknown ikey. */
  readonly lookupSkey: (ikey: string) => string | undefined;
  readonly version: SigVersion;
  /** HMAC digest for version 2 (default `sha512`). */
  readonly v2Digest?: SigDigest;
}

/** The verdict; `ikey` is set whenever the header could be parsed. */
export type VerifyResult =
  | { readonly ok: true; readonly ikey: string }
  | { readonly ok: false; readonly reason: 'no-credentials' | 'unknown-ikey' | 'bad-signature'; readonly ikey?: string };

/** Splits `Authorization: Basic base64(ikey:sig)`; `undefined` when absent or garbled. */
export function parseBasicAuthorization(value: string | undefined): { ikey: string; signature: string } | undefined {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(value?.trim() ?? '');
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { ikey: text.slice(0, colon), signature: text.slice(colon + 1) };
}

function header(h: VerifyInput['headers'], name: string): string | undefined {
  const v = h[name];
  return typeof v === 'string' ? v : v?.[0];
}

/** The `X-Duo-*` headers of a request (what signature v5 hashes). */
export function duoHeadersOf(h: VerifyInput['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(h)) {
    const value = typeof v === 'string' ? v : v?.join(', ');
    if (name.toLowerCase().startsWith('x-duo-') && value !== undefined) out[name.toLowerCase()] = value;
  }
  return out;
}

/**
 * Checks the request's `Authorization` header against the signature `version` would produce with
 * the ikey's skey. Digests are compared with `crypto.timingSafeEqual` (security.md: constant-time
 * compare of every digest). Never throws for bad input.
 */
export function verifySignature(input: VerifyInput): VerifyResult {
  const creds = parseBasicAuthorization(header(input.headers, 'authorization'));
  if (!creds) return { ok: false, reason: 'no-credentials' };
  const skey = input.lookupSkey(creds.ikey);
  if (skey === undefined) return { ok: false, reason: 'unknown-ikey', ikey: creds.ikey };
  let expected: string;
  try {
    expected = signRequest(
      input.version,
      {
        method: input.method,
        host: input.host,
        path: input.path,
        params: input.params ?? {},
        body: input.body ?? '',
        date: header(input.headers, 'date') ?? header(input.headers, 'x-duo-date') ?? '',
        duoHeaders: duoHeadersOf(input.headers),
      },
      skey,
      input.v2Digest,
    );
  } catch {
    return { ok: false, reason: 'bad-signature', ikey: creds.ikey };
  }
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(creds.signature.toLowerCase(), 'utf8');
  const ok = a.length === b.length && timingSafeEqual(a, b);
  return ok ? { ok: true, ikey: creds.ikey } : { ok: false, reason: 'bad-signature', ikey: creds.ikey };
}
