/**
 * HTTP wire helpers of the push simulator's Duo API: bounded body reading, form parsing, and the
 * signature check the Duo service does on every request (spec §6.1 v1 for `/rest/v1`, §6.2 v2/v4/v5
 * for `/auth/v2`), on top of `verifySignature` from src/duo/verify.ts.
 */
import type { IncomingMessage } from 'node:http';
import { verifySignature } from '../duo/verify.js';
import type { SigDigest, SigVersion } from '../duo/sign.js';

/** Largest request body accepted (bytes); Duo API requests are a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Reads the whole body as UTF-8; rejects when it exceeds `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RangeError('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Form or query text → parameters; a repeated name becomes a list (as Python's `parse_qs`). */
export function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** Parameters flattened to one string each (the first value; JSON values as JSON text). */
export function firstValues(p: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) {
    const x = Array.isArray(v) ? v[0] : v;
    out[k] = typeof x === 'string' ? x : JSON.stringify(x);
  }
  return out;
}

/** A JSON object body as parameters; `{}` for anything else. */
export function parseJsonParams(body: string): Record<string, string> {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? firstValues(v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** How a request's signature checked out: which version matched, or why none did. */
export type SignatureVerdict = 'v1' | 'v2-sha1' | 'v2-sha512' | 'v4' | 'v5' | 'none' | 'bad' | 'unknown-ikey';

/** What arrived, as needed for the signature check. */
export interface SignedRequest {
  readonly method: string;
  /** The host the client signed: the Host header without port, lower-cased. */
  readonly host: string;
  readonly path: string;
  /** Form body or query parameters. */
  readonly form: Record<string, string | string[]>;
  readonly body: string;
  /** True for an `application/json` body (signature v4/v5). */
  readonly json: boolean;
  readonly headers: IncomingMessage['headers'];
}

/**
 * Checks the signature as Duo does (spec §6.2): `/rest/v1/*` only v1 (HMAC-SHA1, no Date);
 * `/auth/v2/*` v5 or v4 for a JSON body, v5 (GET) or v2 with SHA512 or SHA1 otherwise. Digests
 * are compared in constant time by `verifySignature`.
 */
export function checkSignature(r: SignedRequest, lookupSkey: (ikey: string) => string | undefined): SignatureVerdict {
  let verdict: SignatureVerdict = 'bad';
  for (const [name, version, digest] of candidates(r)) {
    const v = verifySignature({
      method: r.method,
      host: r.host,
      path: r.path,
      ...(r.json ? { body: r.body } : { params: r.form, body: '' }),
      headers: r.headers,
      lookupSkey,
      version,
      ...(digest ? { v2Digest: digest } : {}),
    });
    if (v.ok) return name;
    if (v.reason === 'no-credentials') return 'none';
    if (v.reason === 'unknown-ikey') verdict = 'unknown-ikey';
  }
  return verdict;
}

type Candidate = readonly [SignatureVerdict, SigVersion, SigDigest?];

function candidates(r: SignedRequest): readonly Candidate[] {
  if (r.path.startsWith('/rest/v1/')) return [['v1', 1]];
  if (r.json) return [['v5', 5], ['v4', 4]];
  const v2: Candidate[] = [['v2-sha512', 2, 'sha512'], ['v2-sha1', 2, 'sha1']];
  return r.method === 'GET' ? [['v5', 5], ...v2] : v2;
}
