/**
 * Fakes at the pipeline's seams (unit tests only): a primary authenticator answering from a
 * table, a second factor answering from per-user scripts, and a RadiusRequest builder.
 */
import type { AuthParams, AuthResult, DuoFailure, PreauthParams, PreauthResult, SecondFactor } from '../../src/duo/types.js';
import type { PrimaryAuthenticator, PrimaryRequest, PrimaryResult } from '../../src/primary/types.js';
import { Attr, resolveAttribute } from '../../src/radius/dictionary.js';
import type { RadiusAttribute, RadiusRequest } from '../../src/radius/types.js';
import { AuthproxyError } from '../../src/errors.js';

/** Primary fake: `accept` for passwords in `good`, else reject `User Authentication Failed`. */
export class FakePrimary implements PrimaryAuthenticator {
  readonly name = 'ad_client';
  readonly kind: PrimaryAuthenticator['kind'] = 'ad_client';
  readonly calls: PrimaryRequest[] = [];
  override: ((r: PrimaryRequest) => PrimaryResult | undefined) | undefined;
  constructor(
    private readonly good: readonly string[],
    private readonly attributes: readonly RadiusAttribute[] = [],
  ) {}
  async start(): Promise<void> {}
  async close(): Promise<void> {}
  async authenticate(r: PrimaryRequest): Promise<PrimaryResult> {
    this.calls.push(r);
    const o = this.override?.(r);
    if (o) return o;
    return r.password !== undefined && this.good.includes(r.password)
      ? { status: 'accept', message: 'Active Directory authentication succeeded', attributes: this.attributes }
      : { status: 'reject', message: 'User Authentication Failed', attributes: [] };
  }
}

/** A Duo error carrying a failure class, as src/duo's DuoApiError does. */
export class FakeDuoError extends AuthproxyError {
  constructor(readonly failure: DuoFailure) {
    super('AP_ERR_DUO_TRANSPORT', `fake ${failure}`);
  }
}

type Step<T> = T | DuoFailure;

/** Second-factor fake: one preauth and one auth answer (or failure) per test. */
export class FakeDuo implements SecondFactor {
  readonly preauthCalls: PreauthParams[] = [];
  readonly authCalls: AuthParams[] = [];
  preauthAnswer: Step<PreauthResult> = { result: 'auth', status: 'Account is active', prompt: 'menu', factors: { default: 'push1', '1': 'push1', '2': 'phone1' } };
  authAnswer: Step<AuthResult> | ((p: AuthParams) => Step<AuthResult>) = { result: 'allow', status: 'Success. Logging you in...' };
  async preauth(p: PreauthParams): Promise<PreauthResult> {
    this.preauthCalls.push(p);
    if (typeof this.preauthAnswer === 'string') throw new FakeDuoError(this.preauthAnswer);
    return this.preauthAnswer;
  }
  async auth(p: AuthParams): Promise<AuthResult> {
    this.authCalls.push(p);
    const a = typeof this.authAnswer === 'function' ? this.authAnswer(p) : this.authAnswer;
    if (typeof a === 'string') throw new FakeDuoError(a);
    return a;
  }
  async close(): Promise<void> {}
}

/** A RadiusRequest as the server core would hand it over. */
export function fakeRequest(opts: {
  user?: string;
  password?: string | null;
  state?: Buffer;
  callingStationId?: string;
  extra?: RadiusAttribute[];
  source?: string;
  identifier?: number;
}): RadiusRequest {
  const attrs: RadiusAttribute[] = [];
  if (opts.user !== undefined) attrs.push({ type: Attr.UserName, value: Buffer.from(opts.user) });
  if (opts.callingStationId !== undefined) attrs.push({ type: Attr.CallingStationId, value: Buffer.from(opts.callingStationId) });
  if (opts.state) attrs.push({ type: Attr.State, value: opts.state });
  attrs.push(...(opts.extra ?? []));
  return {
    raw: Buffer.alloc(0),
    code: 1,
    identifier: opts.identifier ?? 1,
    authenticator: Buffer.alloc(16),
    attributes: attrs,
    source: { address: opts.source ?? '10.0.0.5', port: 50123 },
    section: 'radius_server_auto',
    client: { network: '10.0.0.0/8', secret: Buffer.from('s') },
    hasMessageAuthenticator: true,
    password: opts.password === null || opts.password === undefined ? { state: 'absent' } : { state: 'ok', value: opts.password },
    userName: opts.user,
  };
}

/** The Calling-Station-Id attribute ref (default client_ip_attr). */
export const CALLING_STATION_ID = resolveAttribute('Calling-Station-Id')!;
