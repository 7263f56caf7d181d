/**
 * The Duo Auth API client the pipeline uses as its second factor (spec §6). By default it speaks
 * what Duo's proxy speaks on the RADIUS paths — legacy `/rest/v1/preauth` and `/rest/v1/auth`,
 * signature v1 (spec §0.0, §6.1); with `apiVersion: 2` it uses the documented `/auth/v2`
 * endpoints signed v5 or v2 and maps the answers back (spec §6.3). Every failure rejects with a
 * {@link DuoApiError} whose `failOpenable()` implements the failmode matrix (spec §5.7).
 */
import { arch, release, type as osType } from 'node:os';
import type { Logger } from '../log/logger.js';
import { CallScope } from './call-scope.js';
import { DuoApiError } from './errors.js';
import type { DuoStage } from './errors.js';
import { DuoRequester } from './request.js';
import type { SigDigest } from './sign.js';
import { DuoTransport } from './transport.js';
import type { AuthParams, AuthResult, PreauthParams, PreauthResult, SecondFactor } from './types.js';
import { v1Auth, v1Preauth } from './v1.js';
import { V2Dialect } from './v2.js';
import type { DuoTime } from './v2.js';

/** Longest factor or passcode sent to Duo (spec §5.6). */
export const MAX_FACTOR_LENGTH = 2000;

/** Options of a {@link DuoClient}; plain values, no config import (house style §9.1). */
export interface DuoClientOptions {
  /** Integration key of the section. */
  readonly ikey: string;
  /** Secret key; used only as HMAC key, never logged nor put in an error. */
  readonly skey: string;
  /** `api_host`, without port; also the TLS name checked and the signed host. */
  readonly apiHost: string;
  /** `api_port`, default 443; always spelled out in the URL. */
  readonly apiPort?: number | undefined;
  /** `api_timeout` in seconds for a whole call including connect; 0 (default) = none. */
  readonly apiTimeoutSec?: number | undefined;
  /** CA bundle: PEM text or a PEM file path (`[main] http_ca_certs_file`). */
  readonly caCerts: string;
  /** `[main] http_proxy_host` / `http_proxy_port`: tunnel with HTTP CONNECT. */
  readonly httpProxy?: { readonly host: string; readonly port: number } | undefined;
  /** 1 (default, what Duo's proxy does): `/rest/v1`; 2: `/auth/v2`. */
  readonly apiVersion?: 1 | 2 | undefined;
  /** Signature of `/auth/v2` calls: 5 (default, JSON bodies) or 2 (form bodies). */
  readonly signatureVersion?: 5 | 2 | undefined;
  /** HMAC digest of signature v2: `sha512` (default) or `sha1`. */
  readonly v2Digest?: SigDigest | undefined;
  /** User-Agent header, e.g. `authproxy/0.1.0 (linux; node 20; radius_server_auto)`. */
  readonly userAgent: string;
  /** The main log: `http POST to …` lines (bodies masked, at debug). */
  readonly log: Logger;
  /** Time source of the signed `Date` header (default `new Date()`). */
  readonly clock?: (() => Date) | undefined;
  /** v2: least ms between `auth_status` polls (default 1000). */
  readonly pollIntervalMs?: number | undefined;
}

/** Per-call options of {@link DuoClient.ping} and {@link DuoClient.check}. */
export interface CheckOptions {
  readonly signal?: AbortSignal;
  /** Overrides `apiTimeoutSec` for this call (the connectivity tool uses 10). */
  readonly timeoutSec?: number;
}

const NAMED_FACTOR = /^(auto|push|phone|sms)\d*$/i;

/**
 * A User-Agent in the shape of Duo's (spec §6.1):
 * `authproxy/<version> (<OS>-<release>-<arch>; Node<version>; <section names sorted, comma-joined>)`.
 */
export function userAgentFor(version: string, sectionNames: readonly string[]): string {
  const platform = `${osType()}-${release()}-${arch()}`;
  return `authproxy/${version} (${platform}; Node${process.versions.node}; ${[...sectionNames].sort().join(',')})`;
}

/** The second factor over Duo's Auth API. */
export class DuoClient implements SecondFactor {
  private readonly transport: DuoTransport;
  private readonly v2: V2Dialect;
  private readonly requester: DuoRequester;
  private readonly apiVersion: 1 | 2;
  private readonly timeoutSec: number;
  private closed = false;

  /** Throws AP_ERR_CONFIG_UNREADABLE / AP_ERR_CONFIG_INVALID for an unusable CA bundle. */
  constructor(opts: DuoClientOptions) {
    this.apiVersion = opts.apiVersion ?? 1;
    this.timeoutSec = Math.max(0, opts.apiTimeoutSec ?? 0);
    this.transport = new DuoTransport({
      apiHost: opts.apiHost,
      apiPort: opts.apiPort ?? 443,
      caCerts: opts.caCerts,
      httpProxy: opts.httpProxy,
      userAgent: opts.userAgent,
      connectTimeoutMs: this.timeoutSec > 0 ? this.timeoutSec * 1000 : undefined,
    });
    const clock = opts.clock ?? ((): Date => new Date());
    const { ikey, skey, apiHost, userAgent, log, v2Digest } = opts;
    this.requester = new DuoRequester({ ikey, skey, apiHost, userAgent, log, clock, v2Digest }, this.transport);
    this.v2 = new V2Dialect(this.requester, { signing: opts.signatureVersion ?? 5, pollIntervalMs: opts.pollIntervalMs });
  }

  /** Preauth (spec §6.1): called on every login; `ipaddr` is sent as given. */
  preauth(params: PreauthParams, signal: AbortSignal): Promise<PreauthResult> {
    return this.run('preauth', signal, this.timeoutSec, (scope) =>
      this.apiVersion === 1 ? v1Preauth(this.requester, params, scope) : this.v2.preauth(params, scope),
    );
  }

  /**
   * Auth with a factor name or passcode (spec §6.1, §6.3). A factor longer than 2000 characters
   * fails closed locally without any request (spec §5.6).
   */
  async auth(params: AuthParams, signal: AbortSignal): Promise<AuthResult> {
    if (params.factor.length > MAX_FACTOR_LENGTH) {
      throw new DuoApiError('Factor or passcode length cannot exceed 2000', { failure: 'local', stage: 'auth' });
    }
    try {
      return await this.run('auth', signal, this.timeoutSec, (scope) =>
        this.apiVersion === 1 ? v1Auth(this.requester, params, scope) : this.v2.auth(params, scope),
      );
    } catch (err) {
      throw err instanceof DuoApiError ? withoutFactor(err, params.factor) : err;
    }
  }

  /** `GET /auth/v2/ping` (unsigned), for the connectivity check (spec §6.4). */
  ping(opts: CheckOptions = {}): Promise<DuoTime> {
    return this.run('check', opts.signal, opts.timeoutSec ?? this.timeoutSec, (scope) => this.v2.ping(scope));
  }

  /** `GET /auth/v2/check` (signed), for the connectivity check; 401 = bad keys (spec §6.4). */
  check(opts: CheckOptions = {}): Promise<DuoTime> {
    return this.run('check', opts.signal, opts.timeoutSec ?? this.timeoutSec, (scope) => this.v2.check(scope));
  }

  /** Closes the connection pool once no other client shares it; calls in flight then fail. */
  async close(): Promise<void> {
    this.closed = true;
    await this.transport.close();
  }

  private async run<T>(
    stage: DuoStage,
    signal: AbortSignal | undefined,
    timeoutSec: number,
    fn: (s: CallScope) => Promise<T>,
  ): Promise<T> {
    if (this.closed) throw new DuoApiError('Duo client is closed', { failure: 'local', stage });
    const scope = new CallScope(timeoutSec, signal ?? new AbortController().signal);
    try {
      if (scope.signal.aborted) throw new DuoApiError('API request aborted', { failure: 'local', stage });
      return await fn(scope);
    } finally {
      scope.dispose();
    }
  }
}

/**
 * Defence in depth: if an answer echoed a passcode into the error text, replace it (and drop the
 * cause and stack that would carry it). Factor names such as `push2` are not secret.
 */
function withoutFactor(err: DuoApiError, factor: string): DuoApiError {
  if (factor.length < 4 || NAMED_FACTOR.test(factor) || !err.message.includes(factor)) return err;
  const init = {
    failure: err.failure,
    stage: err.stage,
    ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}),
    ...(err.duoCode !== undefined ? { duoCode: err.duoCode } : {}),
  };
  return new DuoApiError(err.message.split(factor).join('xxxxxxxx'), init);
}
