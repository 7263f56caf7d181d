/**
 * Response judgement (spec §6.1 "Response judgement", §5.7): turns an HTTP answer into Duo's
 * `response` object or a {@link DuoApiError} of the right failure class, and checks the fields the
 * proxy needs in the legacy v1 preauth/auth answers.
 */
import { DuoApiError, failureForStatus } from './errors.js';
import type { DuoStage } from './errors.js';
import type { AuthResult, PreauthResult } from './types.js';

/** A JSON object as parsed. */
export type JsonObject = Record<string, unknown>;

/** The text of every "fields missing / wrong type" failure. */
export const MALFORMED = 'Malformed API Response';

/** True for a plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Python's `repr()` of a bytes object, e.g. `b'<html>\n'` (how Duo quotes an unusable 200 body):
 * single quotes unless the bytes hold `'` and no `"`, `\t \n \r \\` escaped, other bytes outside
 * printable ASCII as `\xNN`.
 */
export function pythonBytesRepr(body: Uint8Array): string {
  const q = body.includes(0x27) && !body.includes(0x22) ? '"' : "'";
  let out = '';
  for (const b of body) {
    if (b === 0x5c) out += '\\\\';
    else if (b === q.charCodeAt(0)) out += `\\${q}`;
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `b${q}${out}${q}`;
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** No usable envelope: not JSON or keys missing (spec §6.1 step 4); fail-open-able iff 5xx. */
function unusable(status: number, body: Uint8Array, stage: DuoStage): DuoApiError {
  const message =
    status === 200 ? `Invalid Remote API Response: ${pythonBytesRepr(body)}` : `API request failed: HTTP Error ${status}`;
  return new DuoApiError(message, { failure: failureForStatus(status), stage, httpStatus: status });
}

/**
 * Judges an answer of any HTTP status (non-2xx bodies are parsed too, spec §6.1):
 * `stat: OK` → the non-empty `response` object; `stat: FAIL` → `<code>: <message>`, class by
 * status (200 → `fail`, 4xx, 5xx); another `stat` → malformed; not JSON or keys missing →
 * `API request failed: HTTP Error <status>` / `Invalid Remote API Response: <repr>`.
 */
export function judgeResponse(status: number, body: Uint8Array, stage: DuoStage): JsonObject {
  const data = parseJson(body);
  if (!isObject(data) || !('stat' in data)) throw unusable(status, body, stage);
  if (data['stat'] === 'OK') {
    if (!('response' in data)) throw unusable(status, body, stage);
    const response = data['response'];
    if (isObject(response) && Object.keys(response).length > 0) return response;
    throw new DuoApiError(MALFORMED, { failure: 'malformed', stage, httpStatus: status });
  }
  if (data['stat'] === 'FAIL') {
    if (!('code' in data) || !('message' in data)) throw unusable(status, body, stage);
    const code = data['code'];
    const init = { failure: failureForStatus(status), stage, httpStatus: status } as const;
    const message = `${String(code)}: ${String(data['message'])}`;
    throw new DuoApiError(message, typeof code === 'number' ? { ...init, duoCode: code } : init);
  }
  throw new DuoApiError(MALFORMED, { failure: 'malformed', stage, httpStatus: status });
}

/** A malformed-answer error (missing or wrong-typed field) for `stage`. */
export function malformed(stage: DuoStage, httpStatus?: number): DuoApiError {
  const init = { failure: 'malformed', stage } as const;
  return new DuoApiError(MALFORMED, httpStatus === undefined ? init : { ...init, httpStatus });
}

function stringGroups(v: unknown): readonly string[] | undefined {
  return Array.isArray(v) && v.every((g) => typeof g === 'string') ? (v as string[]) : undefined;
}

function stringRecord(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') return undefined;
    out[k] = x;
  }
  return out;
}

/**
 * Checks a `/rest/v1/preauth` answer (spec §6.1 table): `allow`/`deny`/`enroll` need `status`;
 * `auth` needs a `factors` object and a `prompt`; any other `result` is malformed.
 */
export function toPreauthResult(r: JsonObject, httpStatus: number): PreauthResult {
  const result = r['result'];
  const status = r['status'];
  const groups = stringGroups(r['groups']);
  const extra = groups ? { groups } : {};
  if (result === 'allow' || result === 'deny' || result === 'enroll') {
    if (typeof status !== 'string') throw malformed('preauth', httpStatus);
    return { result, status, ...extra };
  }
  if (result === 'auth') {
    const factors = stringRecord(r['factors']);
    const prompt = r['prompt'];
    if (!factors || typeof prompt !== 'string') throw malformed('preauth', httpStatus);
    return { result, status: typeof status === 'string' ? status : '', factors, prompt, ...extra };
  }
  throw malformed('preauth', httpStatus);
}

/** Checks a `/rest/v1/auth` answer: `result` `allow`/`deny` and a `status` (spec §6.1 table). */
export function toAuthResult(r: JsonObject, httpStatus: number): AuthResult {
  const result = r['result'];
  const status = r['status'];
  if ((result === 'allow' || result === 'deny') && typeof status === 'string') return { result, status };
  throw malformed('auth', httpStatus);
}
