/**
 * The Duo API endpoints the simulator answers, after the signature check: legacy
 * `/rest/v1/preauth` and `/rest/v1/auth` (spec §6.1, the proxy's default dialect; the preauth
 * `factors` object of §5.5) and the Auth API v2 subset `/auth/v2/ping|check|preauth|auth|auth_status`
 * (spec §6.3). A push or phone call holds the request (or, with `async=1`, the transaction) until
 * Approve/Deny on the web page or the push timeout.
 */
import { randomBytes } from 'node:crypto';
import type { PushFactor, PushVerdict, SimulatorState, SimUser } from './state.js';

/** An HTTP answer: status and the JSON envelope. */
export interface ApiReply {
  readonly status: number;
  readonly json: unknown;
}

/** A request that passed the signature check. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  /** Form, JSON or query parameters (first value of each). */
  readonly params: Readonly<Record<string, string>>;
  /** Aborts when the client hangs up (a waiting push is then cancelled). */
  readonly signal: AbortSignal;
}

/** Status texts, as Duo words them (spec §5.8; service-defined). */
export const TEXTS = {
  active: 'Account is active',
  success: 'Success. Logging you in...',
  denied: 'Login request denied.',
  timeout: 'Login timed out.',
  cancelled: 'Login request cancelled.',
  badPasscode: 'Incorrect passcode. Please try again.',
  smsSent: 'New SMS passcodes sent.',
  pushed: 'Pushed a login request to your device...',
} as const;

/** A final auth outcome in v2 terms; v1 sends `status_msg` as its `status`. */
interface Outcome {
  readonly result: 'allow' | 'deny';
  readonly status: string;
  readonly status_msg: string;
}

type Choice = { kind: PushFactor } | { kind: 'sms' } | { kind: 'passcode'; code: string };

interface Tx {
  outcome?: Outcome;
  readonly done: Promise<Outcome>;
}

const MAX_USER_LENGTH = 256;
const MAX_TXS = 1000;
const TX_KEEP_MS = 300_000;

/** `stat: OK` envelope. */
export const ok = (response: unknown): ApiReply => ({ status: 200, json: { stat: 'OK', response } });
/** `stat: FAIL` envelope (spec §6.3 error envelope). */
export const fail = (status: number, code: number, message: string, detail?: string): ApiReply => ({
  status,
  json: { stat: 'FAIL', code, message, ...(detail === undefined ? {} : { message_detail: detail }) },
});
const badParams = (detail: string): ApiReply => fail(400, 40002, 'Invalid request parameters', detail);

/** The endpoint logic over a {@link SimulatorState}. */
export class DuoEndpoints {
  private readonly txs = new Map<string, Tx>();

  constructor(
    private readonly state: SimulatorState,
    private readonly opts: { readonly longPollMs?: number } = {},
  ) {}

  /** Answers one request (never rejects). */
  async handle(req: ApiRequest): Promise<ApiReply> {
    const p = req.params;
    switch (`${req.method} ${req.path}`) {
      case 'GET /auth/v2/ping':
      case 'GET /auth/v2/check':
        return ok({ time: Math.floor(Date.now() / 1000) });
      case 'POST /rest/v1/preauth':
        return this.withUser(p['user'], (u) => ok(preauthV1(u)));
      case 'POST /rest/v1/auth':
        if (p['factor'] !== 'auto' || p['auto'] === undefined) return badParams('factor');
        return this.withUserAsync(p['user'], async (u) => this.authV1(u, p['auto'] ?? '', p['ipaddr'], req.signal));
      case 'POST /auth/v2/preauth':
        return this.withUser(p['username'] ?? p['user_id'], (u) => ok(preauthV2(u)));
      case 'POST /auth/v2/auth':
        return this.withUserAsync(p['username'] ?? p['user_id'], async (u) => this.authV2(u, p, req.signal));
      case 'GET /auth/v2/auth_status':
        return this.authStatus(p['txid'] ?? '', req.signal);
      default:
        return fail(404, 40401, 'Resource not found');
    }
  }

  private withUser(name: string | undefined, fn: (u: SimUser) => ApiReply): ApiReply {
    if (name === undefined || name === '' || name.length > MAX_USER_LENGTH) return badParams('user');
    return fn(this.state.user(name));
  }

  private async withUserAsync(name: string | undefined, fn: (u: SimUser) => Promise<ApiReply>): Promise<ApiReply> {
    if (name === undefined || name === '' || name.length > MAX_USER_LENGTH) return badParams('user');
    return fn(this.state.user(name));
  }

  /** v1 `auto`: `auto`/`push[1]`, `phone[1]`, `sms[1]`, else a passcode (spec §5.6). */
  private async authV1(u: SimUser, auto: string, ipaddr: string | undefined, signal: AbortSignal): Promise<ApiReply> {
    const choice = v1Choice(auto);
    if (!choice) return badParams('auto');
    const started = this.start(u, choice, ipaddr ?? '0.0.0.0', signal);
    if ('status' in started) return started;
    const outcome = await started.done;
    return ok({ result: outcome.result, status: outcome.status_msg });
  }

  private async authV2(u: SimUser, p: Readonly<Record<string, string>>, signal: AbortSignal): Promise<ApiReply> {
    const choice = v2Choice(u, p);
    if ('status' in choice) return choice;
    const isAsync = p['async'] === '1' || p['async'] === 'true';
    // An async transaction outlives the request, so it must not be cancelled by its hang-up.
    const started = this.start(u, choice, p['ipaddr'] ?? '0.0.0.0', isAsync ? undefined : signal);
    if ('status' in started) return started;
    if (!isAsync) return ok(await started.done);
    return ok({ txid: this.remember(started) });
  }

  private start(u: SimUser, choice: Choice, ipaddr: string, signal: AbortSignal | undefined): Tx | ApiReply {
    if (choice.kind === 'passcode') {
      const good = this.state.checkPasscode(u.name, choice.code);
      return settled(good ? allow() : { result: 'deny', status: 'deny', status_msg: TEXTS.badPasscode });
    }
    if (choice.kind === 'sms') {
      this.state.sendSms(u.name);
      return settled({ result: 'deny', status: 'sent', status_msg: TEXTS.smsSent });
    }
    const ticket = this.state.startPush(u.name, choice.kind, ipaddr);
    if (!ticket) return fail(429, 42901, 'Too Many Requests', 'too many pushes waiting');
    signal?.addEventListener('abort', () => ticket.cancel(), { once: true });
    const tx: Tx = { done: ticket.verdict.then((v) => (tx.outcome = outcomeOf(v))) };
    return tx;
  }

  private remember(tx: Tx): string {
    const txid = randomBytes(16).toString('hex');
    if (this.txs.size >= MAX_TXS) this.txs.delete(this.txs.keys().next().value ?? '');
    this.txs.set(txid, tx);
    void tx.done.then(() => setTimeout(() => this.txs.delete(txid), TX_KEEP_MS).unref());
    return txid;
  }

  /** Long poll: the outcome as soon as there is one, else `waiting` after `longPollMs`. */
  private async authStatus(txid: string, signal: AbortSignal): Promise<ApiReply> {
    const tx = this.txs.get(txid);
    if (!tx) return badParams('txid');
    if (!tx.outcome) await raceTimeout(tx.done, this.opts.longPollMs ?? 5000, signal);
    return ok(tx.outcome ?? { result: 'waiting', status: 'pushed', status_msg: TEXTS.pushed });
  }
}

function settled(outcome: Outcome): Tx {
  return { outcome, done: Promise.resolve(outcome) };
}

function allow(): Outcome {
  return { result: 'allow', status: 'allow', status_msg: TEXTS.success };
}

function outcomeOf(v: PushVerdict): Outcome {
  if (v === 'approve') return allow();
  if (v === 'deny') return { result: 'deny', status: 'deny', status_msg: TEXTS.denied };
  if (v === 'timeout') return { result: 'deny', status: 'timeout', status_msg: TEXTS.timeout };
  return { result: 'deny', status: 'deny', status_msg: TEXTS.cancelled };
}

function raceTimeout(p: Promise<unknown>, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    const done = (): void => {
      clearTimeout(t);
      resolve();
    };
    void p.then(done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Maps the v1 `auto` parameter; `undefined` for a device number the user does not have. */
export function v1Choice(auto: string): Choice | undefined {
  const m = /^(push|phone|sms)(\d*)$/.exec(auto.trim());
  if (auto.trim() === 'auto') return { kind: 'push' };
  if (!m) return { kind: 'passcode', code: auto.trim() };
  if (m[2] !== '' && m[2] !== '1') return undefined;
  return { kind: m[1] as 'push' | 'phone' | 'sms' };
}

function v2Choice(u: SimUser, p: Readonly<Record<string, string>>): Choice | ApiReply {
  const factor = p['factor'];
  if (factor === 'passcode') return p['passcode'] === undefined ? badParams('passcode') : { kind: 'passcode', code: p['passcode'].trim() };
  if (factor !== 'auto' && factor !== 'push' && factor !== 'phone' && factor !== 'sms') return badParams('factor');
  const device = p['device'];
  if (device !== 'auto' && device !== u.device.device) return badParams('device');
  return { kind: factor === 'auto' ? 'push' : factor };
}

/** `/rest/v1/preauth` answer for an enrolled user (spec §6.1 example shape, §5.5 `factors`). */
export function preauthV1(u: SimUser): Record<string, unknown> {
  const n = u.device.number;
  return {
    result: 'auth',
    status: TEXTS.active,
    factors: { default: 'push1', '1': 'push1', '2': 'phone1', '3': 'sms1' },
    prompt: `Duo login for ${u.name}\n\n 1. Duo Push to ${n}\n 2. Phone call to ${n}\n 3. SMS passcodes to ${n}\n\nPasscode or option (1-3): `,
  };
}

/** `/auth/v2/preauth` answer for an enrolled user (spec §6.3 `devices[]`). */
export function preauthV2(u: SimUser): Record<string, unknown> {
  const d = u.device;
  return {
    result: 'auth',
    status_msg: TEXTS.active,
    devices: [{ device: d.device, type: d.type, number: d.number, name: d.name, display_name: `${d.name} (${d.number})`, capabilities: [...d.capabilities] }],
  };
}
