/**
 * **(clone)** The proxy's calls on the documented Auth API v2 (spec §6.3), signed v5 (JSON body)
 * or v2 (form body), with answers mapped onto the v1-shaped results the pipeline uses. A push or
 * phone call is sent with `async=1` and `/auth/v2/auth_status` is polled until it is no longer
 * `waiting`.
 */
import type { CallScope } from './call-scope.js';
import { DuoApiError } from './errors.js';
import type { DuoStage } from './errors.js';
import { malformed } from './parse.js';
import type { JsonObject } from './parse.js';
import type { DuoRequester } from './request.js';
import type { AuthParams, AuthResult, PreauthParams, PreauthResult } from './types.js';
import { factorsFromDevices, parseDevices, promptFromDevices, v2AuthChoice, v2IpParam } from './v2-map.js';
import type { V2Device } from './v2-map.js';

/** Tuning of the v2 dialect. */
export interface V2Options {
  readonly signing: 2 | 5;
  /** Least time between the starts of two `auth_status` requests (ms, default 1000). */
  readonly pollIntervalMs?: number | undefined;
  /** How long a preauth's device list is kept for the auth that follows (ms, default 600000). */
  readonly deviceTtlMs?: number | undefined;
}

/** The answer of ping/check: Duo's clock in Unix seconds. */
export interface DuoTime {
  readonly time: number;
}

const MAX_CACHED_USERS = 10_000;

/** Auth API v2 dialect of the client. */
export class V2Dialect {
  private readonly devices = new Map<string, { devices: V2Device[]; at: number }>();

  constructor(
    private readonly r: DuoRequester,
    private readonly opts: V2Options,
  ) {}

  /** `POST /auth/v2/preauth` mapped onto the v1 result (spec §6.3 mapping table). */
  async preauth(p: PreauthParams, scope: CallScope): Promise<PreauthResult> {
    const { response, httpStatus } = await this.post('/auth/v2/preauth', { username: p.user, ...v2IpParam(p.ipaddr) }, scope, 'preauth');
    const result = response['result'];
    const msg = response['status_msg'];
    if (result === 'allow' || result === 'deny' || result === 'enroll') {
      if (typeof msg !== 'string') throw malformed('preauth', httpStatus);
      return { result, status: result === 'enroll' ? enrollStatus(msg, response['enroll_portal_url']) : msg };
    }
    const devices = result === 'auth' ? parseDevices(response['devices']) : undefined;
    if (!devices) throw malformed('preauth', httpStatus);
    this.remember(p.user, devices);
    const status = typeof msg === 'string' ? msg : '';
    return { result: 'auth', status, factors: factorsFromDevices(devices), prompt: promptFromDevices(p.user, devices) };
  }

  /** `POST /auth/v2/auth` with the §6.3 factor mapping; waits for push/phone by polling. */
  async auth(p: AuthParams, scope: CallScope): Promise<AuthResult> {
    const devices = await this.devicesFor(p, scope);
    const choice = v2AuthChoice(p.factor, devices);
    if (!choice.ok) throw new DuoApiError(`Invalid factor: ${choice.reason}`, { failure: 'local', stage: 'auth' });
    const params = { username: p.user, ...v2IpParam(p.ipaddr), ...choice.params, ...(choice.waits ? { async: '1' } : {}) };
    const { response, httpStatus } = await this.post('/auth/v2/auth', params, scope, 'auth');
    if (!choice.waits) return toV2AuthResult(response, httpStatus);
    const txid = response['txid'];
    if (typeof txid !== 'string' || txid === '') throw malformed('auth', httpStatus);
    return this.poll(txid, scope);
  }

  /** `GET /auth/v2/ping`: unsigned liveness check. */
  async ping(scope: CallScope): Promise<DuoTime> {
    const answer = await this.r.call({ method: 'GET', path: '/auth/v2/ping', params: {}, signing: 'none' }, scope, 'check');
    return toTime(answer.response, answer.httpStatus);
  }

  /** `GET /auth/v2/check`: signed; a 401 means bad ikey/skey or signature. */
  async check(scope: CallScope): Promise<DuoTime> {
    const answer = await this.r.call({ method: 'GET', path: '/auth/v2/check', params: {}, signing: this.opts.signing }, scope, 'check');
    return toTime(answer.response, answer.httpStatus);
  }

  private post(path: string, params: Record<string, string>, scope: CallScope, stage: DuoStage): ReturnType<DuoRequester['call']> {
    return this.r.call({ method: 'POST', path, params, signing: this.opts.signing }, scope, stage);
  }

  /** Polls `auth_status` until the answer is no longer `waiting`, never faster than the interval. */
  private async poll(txid: string, scope: CallScope): Promise<AuthResult> {
    const interval = this.opts.pollIntervalMs ?? 1000;
    for (;;) {
      const started = Date.now();
      const { response, httpStatus } = await this.r.call(
        { method: 'GET', path: '/auth/v2/auth_status', params: { txid }, signing: this.opts.signing },
        scope,
        'auth',
      );
      if (response['result'] !== 'waiting') return toV2AuthResult(response, httpStatus);
      // A long-polling server already waited; otherwise pause the rest of the interval.
      await scope.sleep(interval - (Date.now() - started));
    }
  }

  /** Devices from the preauth that preceded this auth (spec §10 item 24), else a fresh preauth. */
  private async devicesFor(p: AuthParams, scope: CallScope): Promise<readonly V2Device[]> {
    const hit = this.devices.get(p.user);
    if (hit && Date.now() - hit.at <= (this.opts.deviceTtlMs ?? 600_000)) return hit.devices;
    if (!/^(push|phone|sms)\d+$/i.test(p.factor.trim())) return [];
    const pre = await this.preauth({ user: p.user, ipaddr: p.ipaddr, failmode: 'secure' }, scope).catch((err: unknown) => {
      throw err instanceof DuoApiError ? new DuoApiError(err.message, { ...errInit(err), stage: 'auth' }) : err;
    });
    return pre.result === 'auth' ? (this.devices.get(p.user)?.devices ?? []) : [];
  }

  private remember(user: string, devices: V2Device[]): void {
    this.devices.delete(user);
    if (this.devices.size >= MAX_CACHED_USERS) {
      const oldest = this.devices.keys().next();
      if (!oldest.done) this.devices.delete(oldest.value);
    }
    this.devices.set(user, { devices, at: Date.now() });
  }
}

function errInit(err: DuoApiError): { failure: DuoApiError['failure']; httpStatus?: number; duoCode?: number } {
  return {
    failure: err.failure,
    ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}),
    ...(err.duoCode !== undefined ? { duoCode: err.duoCode } : {}),
  };
}

/** Enroll text: Duo's message, with the enrollment link appended when the message lacks it. */
export function enrollStatus(msg: string, url: unknown): string {
  return typeof url === 'string' && url !== '' && !msg.includes(url) ? `${msg} ${url}` : msg;
}

/** A final v2 auth/auth_status answer: `allow`/`deny` with `status_msg` as the v1 `status`. */
function toV2AuthResult(r: JsonObject, httpStatus: number): AuthResult {
  const result = r['result'];
  const msg = r['status_msg'];
  if ((result === 'allow' || result === 'deny') && typeof msg === 'string') return { result, status: msg };
  throw malformed('auth', httpStatus);
}

function toTime(r: JsonObject, httpStatus: number): DuoTime {
  const time = r['time'];
  if (typeof time === 'number' && Number.isFinite(time)) return { time };
  throw malformed('check', httpStatus);
}

