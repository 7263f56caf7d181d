/**
 * The second factor as the pipeline sees it: Duo's legacy v1 semantics (spec §6.1), whichever
 * wire dialect (`/rest/v1` signed v1, or `/auth/v2` signed v5/v2) the client speaks underneath.
 */

/** Preauth answer (v1 shape; the v2 client maps onto it, spec §6.3). */
export type PreauthResult =
  | { readonly result: 'allow' | 'deny' | 'enroll'; readonly status: string; readonly groups?: readonly string[] }
  | {
      readonly result: 'auth';
      readonly status: string;
      /** v1 `factors` object, e.g. `{default: 'push1', '1': 'push1', '2': 'phone1'}`. */
      readonly factors: Readonly<Record<string, string>>;
      readonly prompt: string;
      readonly groups?: readonly string[];
    };

/** Auth answer. */
export interface AuthResult {
  readonly result: 'allow' | 'deny';
  readonly status: string;
}

/** Per-login context sent to Duo. */
export interface PreauthParams {
  readonly user: string;
  /** Client IP text, unvalidated (may be a MAC), or `0.0.0.0`. */
  readonly ipaddr: string;
  readonly failmode: 'safe' | 'secure';
}

/** Auth call parameters: `factor` is the v1 `auto` value (`push1`, `push`, `phone2`, `123456`…). */
export interface AuthParams {
  readonly user: string;
  readonly factor: string;
  /** Client IP if it parses as IP/CIDR/range, else `0.0.0.0` (spec §6.1). */
  readonly ipaddr: string;
}

/**
 * The failure classes the failmode matrix (spec §5.7) distinguishes.
 * - transport: no HTTP answer (connect, TLS, reset, DNS)
 * - timeout: no HTTP answer within api_timeout
 * - http4xx / http5xx: HTTP status with `stat: FAIL` or a non-JSON body
 * - fail: HTTP 200 with `stat: FAIL`; also a 200 (or other non-4xx/5xx status) whose body is not
 *   a JSON envelope at all — Duo's `Invalid Remote API Response`, closed (spec §5.7 last row)
 * - malformed: HTTP 200 JSON with another `stat`, an empty `response`, or missing fields
 * - local: refused before sending (factor longer than 2000 characters, a v2 device number the
 *   user lacks, client closed) or abandoned through the caller's AbortSignal
 */
export type DuoFailure = 'transport' | 'timeout' | 'http4xx' | 'http5xx' | 'fail' | 'malformed' | 'local';

/** The Duo API as the pipeline uses it. Rejects only with `DuoApiError` (src/duo/errors.ts). */
export interface SecondFactor {
  preauth(params: PreauthParams, signal: AbortSignal): Promise<PreauthResult>;
  auth(params: AuthParams, signal: AbortSignal): Promise<AuthResult>;
  close(): Promise<void>;
}
