/**
 * Building, signing, logging and judging one Duo API request (spec §6.1 request shape, §6.2
 * signing, §7.1 log lines). Both dialects (`/rest/v1` and `/auth/v2`) go through here.
 */
import type { Logger } from '../log/logger.js';
import type { CallScope } from './call-scope.js';
import type { DuoStage } from './errors.js';
import { judgeResponse } from './parse.js';
import type { JsonObject } from './parse.js';
import { basicAuthorization, canonJson, canonParams, rfc2822Date, signRequest } from './sign.js';
import type { SigDigest } from './sign.js';
import type { DuoTransport, HttpRequest } from './transport.js';

/** How a request is signed: v1 (legacy, no Date), v2 (form, Date), v5 (JSON POST, Date), none (ping). */
export type Signing = 1 | 2 | 5 | 'none';

/** One API call before encoding. */
export interface CallSpec {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly signing: Signing;
}

/** Credentials and identity of the requests. */
export interface RequesterOptions {
  readonly ikey: string;
  readonly skey: string;
  /** Signed host: `api_host` without port (lower-cased when signing). */
  readonly apiHost: string;
  readonly userAgent: string;
  readonly log: Logger;
  readonly clock: () => Date;
  /** HMAC digest of signature v2 (default `sha512`). */
  readonly v2Digest?: SigDigest | undefined;
}

/** The answer of a call: Duo's `response` object and the HTTP status it came with. */
export interface CallAnswer {
  readonly response: JsonObject;
  readonly httpStatus: number;
}

/** Parameters whose values are factors or passcodes; masked in debug logs (spec §1.8, §7.1). */
const MASKED_PARAMS = new Set(['auto', 'passcode']);

/** The parameters with every factor/passcode value replaced by `xxxxxxxx`. */
export function maskParams(params: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[k] = MASKED_PARAMS.has(k) ? 'xxxxxxxx' : v;
  return out;
}

/** Signs and sends requests over one transport. */
export class DuoRequester {
  constructor(
    private readonly opts: RequesterOptions,
    private readonly transport: DuoTransport,
  ) {}

  /**
   * Sends `spec` and judges the answer (spec §6.1 "Response judgement"); rejects with a
   * DuoApiError for every failure, including no answer within the scope.
   */
  async call(spec: CallSpec, scope: CallScope, stage: DuoStage): Promise<CallAnswer> {
    const req = this.encode(spec);
    this.logRequest(spec, req);
    const answer = await this.transport.request(req, scope, stage);
    return { response: judgeResponse(answer.status, answer.body, stage), httpStatus: answer.status };
  }

  /** The exact HTTP request for `spec`: body/query text, signature and headers. */
  encode(spec: CallSpec): HttpRequest {
    const json = spec.signing === 5 && spec.method === 'POST';
    const form = canonParams(spec.params);
    const body = spec.method === 'GET' ? undefined : json ? canonJson(spec.params) : form;
    const path = spec.method === 'GET' && form !== '' ? `${spec.path}?${form}` : spec.path;
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent };
    if (body !== undefined) headers['content-type'] = json ? 'application/json' : 'application/x-www-form-urlencoded';
    if (spec.signing === 'none') return withBody({ method: spec.method, path, headers }, body);
    const date = spec.signing === 1 ? undefined : rfc2822Date(this.opts.clock());
    if (date !== undefined) headers['date'] = date;
    const sig = signRequest(
      spec.signing,
      {
        method: spec.method,
        host: this.opts.apiHost,
        path: spec.path,
        ...(json ? { body: body ?? '' } : { params: spec.params, body: '' }),
        ...(date !== undefined ? { date } : {}),
      },
      this.opts.skey,
      this.opts.v2Digest,
    );
    headers['authorization'] = basicAuthorization(this.opts.ikey, sig);
    return withBody({ method: spec.method, path, headers }, body);
  }

  /** Duo's `http POST to https://host:port/path` line; with debug, `…: <masked body>` instead. */
  private logRequest(spec: CallSpec, req: HttpRequest): void {
    const target = `http ${spec.method} to ${this.transport.origin}${spec.path}`;
    const log = this.opts.log;
    if (!log.debugEnabled) {
      log.info(target);
      return;
    }
    const masked = maskParams(spec.params);
    const shown = req.headers['content-type'] === 'application/json' ? canonJson(masked) : canonParams(masked);
    log.debug(`${target}: ${shown}`);
  }
}

function withBody(req: Omit<HttpRequest, 'body'>, body: string | undefined): HttpRequest {
  return body === undefined ? req : { ...req, body };
}
