/**
 * The one error the Duo client rejects with. It carries the failure class the failmode matrix
 * (spec §5.7) distinguishes and answers whether `failmode=safe` may turn it into an allow.
 */
import { AuthproxyError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { DuoFailure } from './types.js';

/** Which call failed. `check` covers ping/check of the connectivity test. */
export type DuoStage = 'preauth' | 'auth' | 'check';

const CODE_OF: Readonly<Record<DuoFailure, ErrorCode>> = {
  transport: 'AP_ERR_DUO_TRANSPORT',
  timeout: 'AP_ERR_DUO_TIMEOUT',
  http4xx: 'AP_ERR_DUO_HTTP_4XX',
  http5xx: 'AP_ERR_DUO_HTTP_5XX',
  fail: 'AP_ERR_DUO_FAIL',
  malformed: 'AP_ERR_DUO_MALFORMED',
  local: 'AP_ERR_DUO_LOCAL',
};

/** Fields of a {@link DuoApiError} besides its message. */
export interface DuoApiErrorInit {
  readonly failure: DuoFailure;
  readonly stage: DuoStage;
  readonly httpStatus?: number;
  /** Duo's 5-digit error code from a `stat: FAIL` answer. */
  readonly duoCode?: number;
  readonly cause?: unknown;
}

/**
 * A failed Duo API call. `message` is in Duo's words (`40103: Invalid signature in request
 * credentials`, `API request failed: HTTP Error 503`, `Invalid Remote API Response: b'…'`,
 * `Malformed API Response`, `Factor or passcode length cannot exceed 2000`) and never holds the
 * skey, the factor or a passcode.
 */
export class DuoApiError extends AuthproxyError {
  readonly failure: DuoFailure;
  readonly stage: DuoStage;
  readonly httpStatus?: number;
  readonly duoCode?: number;

  constructor(message: string, init: DuoApiErrorInit) {
    super(CODE_OF[init.failure], message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'DuoApiError';
    this.failure = init.failure;
    this.stage = init.stage;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.duoCode !== undefined) this.duoCode = init.duoCode;
  }

  /** True when `failmode=safe` may allow the login despite this failure (spec §5.7). */
  failOpenable(): boolean {
    return isFailOpenable(this.failure, this.stage);
  }
}

/**
 * The failmode matrix (spec §5.7): no HTTP answer (transport, timeout) is fail-open-able at
 * preauth but always closed at auth, because the push may already be on the phone; 5xx and
 * malformed 200s are fail-open-able; 4xx (incl. 401 and 429), `stat: FAIL` and local refusals
 * are closed.
 */
export function isFailOpenable(failure: DuoFailure, stage: DuoStage): boolean {
  switch (failure) {
    case 'transport':
    case 'timeout':
      return stage !== 'auth';
    case 'http5xx':
    case 'malformed':
      return true;
    case 'http4xx':
    case 'fail':
    case 'local':
      return false;
  }
}

/** The error class for an HTTP status that carried no usable answer: 5xx, 4xx, else `fail`. */
export function failureForStatus(status: number): DuoFailure {
  if (status >= 500 && status <= 599) return 'http5xx';
  if (status >= 400 && status <= 499) return 'http4xx';
  return 'fail';
}
