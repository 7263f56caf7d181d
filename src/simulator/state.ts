/**
 * What the push simulator knows: users (enrolled on first sight with one smartphone that can do
 * push, phone, SMS and passcodes), pushes waiting for an answer on the web page, and a short
 * history of answers. In memory only; the page reads it through {@link SimulatorState.snapshot}.
 */
import { randomBytes } from 'node:crypto';
import { randomText } from './credentials.js';
import { checkTotp, currentPasscode, newSeed, sameText, smsPasscodes } from './passcodes.js';

/** Out-of-band factors that wait for the user: a push, or a phone call (answered on the page too). */
export type PushFactor = 'push' | 'phone';
/** How a pending push ended. `cancelled`: the API client hung up or the simulator stopped. */
export type PushVerdict = 'approve' | 'deny' | 'timeout' | 'cancelled';

/** The simulated smartphone, in Auth API v2 terms (spec §6.3 `devices[]`). */
export interface SimDevice {
  /** Device id, `DP` + 18 letters/digits. */
  readonly device: string;
  readonly type: 'phone';
  readonly number: string;
  readonly name: string;
  readonly capabilities: readonly ['auto', 'push', 'sms', 'phone', 'mobile_otp'];
}

/** One enrolled user. */
export interface SimUser {
  readonly name: string;
  readonly device: SimDevice;
  /** TOTP seed of the passcodes shown on the page. */
  readonly seed: Buffer;
  /** One-time codes "texted" by the last SMS request (each used at most once). */
  smsCodes: string[];
}

/** A push (or phone call) waiting for Approve/Deny. */
export interface PendingPush {
  /** Random id, used in the page's URLs and `data-push-id`. */
  readonly id: string;
  readonly user: string;
  readonly factor: PushFactor;
  /** The `ipaddr` the proxy sent (the end user's address, or `0.0.0.0`). */
  readonly ipaddr: string;
  /** ms since epoch. */
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** One line of the page's history. */
export interface HistoryEntry {
  readonly at: number;
  readonly user: string;
  readonly factor: PushFactor | 'passcode' | 'sms';
  readonly result: string;
}

/** A started push: its record, and the verdict once there is one. */
export interface PushTicket {
  readonly push: PendingPush;
  readonly verdict: Promise<PushVerdict>;
  /** Ends the push as `cancelled` (no effect once answered). */
  cancel(): void;
}

/** Everything the web page shows. */
export interface StateSnapshot {
  readonly pending: readonly PendingPush[];
  readonly users: readonly { user: string; device: string; number: string; passcode: string; passcodeExpiresAt: number; smsCodes: readonly string[] }[];
  readonly history: readonly HistoryEntry[];
}

/** Limits and clock of {@link SimulatorState}. */
export interface SimulatorStateOptions {
  /** A push left unanswered this long ends as `timeout` (ms, default 60000). */
  readonly pushTimeoutMs?: number;
  /** At most this many users are kept; the least recently seen one without a push goes first (default 1000). */
  readonly maxUsers?: number;
  /** At most this many pushes wait at once (default 100). */
  readonly maxPending?: number;
  readonly now?: () => number;
}

interface Waiting {
  readonly push: PendingPush;
  readonly resolve: (v: PushVerdict) => void;
  readonly timer: NodeJS.Timeout;
}

const HISTORY_LENGTH = 20;
const RESULT_TEXT: Record<PushVerdict, string> = { approve: 'approved', deny: 'denied', timeout: 'timed out', cancelled: 'cancelled' };

/** The simulator's users, pending pushes and history. */
export class SimulatorState {
  private readonly users = new Map<string, SimUser>();
  private readonly waiting = new Map<string, Waiting>();
  private readonly history: HistoryEntry[] = [];
  private readonly now: () => number;

  constructor(private readonly opts: SimulatorStateOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  /** The user called `name`, enrolled now if new (Duo would answer `enroll`; the demo enrolls). */
  user(name: string): SimUser {
    const known = this.users.get(name);
    if (known) {
      this.users.delete(name);
      this.users.set(name, known);
      return known;
    }
    this.evictIfFull();
    const device: SimDevice = {
      device: `DP${randomText(18, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`,
      type: 'phone',
      number: `XXX-XXX-${randomText(4, '0123456789')}`,
      name: 'Simulated phone',
      capabilities: ['auto', 'push', 'sms', 'phone', 'mobile_otp'],
    };
    const user: SimUser = { name, device, seed: newSeed(), smsCodes: [] };
    this.users.set(name, user);
    return user;
  }

  /** Starts a push for `user`; `undefined` when too many are already waiting. */
  startPush(user: string, factor: PushFactor, ipaddr: string): PushTicket | undefined {
    if (this.waiting.size >= (this.opts.maxPending ?? 100)) return undefined;
    this.user(user);
    const createdAt = this.now();
    const push: PendingPush = { id: randomBytes(12).toString('hex'), user, factor, ipaddr, createdAt, expiresAt: createdAt + (this.opts.pushTimeoutMs ?? 60_000) };
    let resolve!: (v: PushVerdict) => void;
    const verdict = new Promise<PushVerdict>((r) => (resolve = r));
    const timer = setTimeout(() => this.finish(push.id, 'timeout'), push.expiresAt - createdAt);
    this.waiting.set(push.id, { push, resolve, timer });
    return { push, verdict, cancel: () => void this.finish(push.id, 'cancelled') };
  }

  /** Approve or Deny from the page; false when the push is unknown or already over. */
  answer(id: string, verdict: 'approve' | 'deny'): boolean {
    return this.finish(id, verdict);
  }

  /** True for the user's current (or just rotated) code, or an unused SMS code (which is then used up). */
  checkPasscode(name: string, code: string): boolean {
    const user = this.user(name);
    const sms = user.smsCodes.findIndex((c) => sameText(c, code));
    if (sms >= 0) user.smsCodes.splice(sms, 1);
    const ok = sms >= 0 || checkTotp(user.seed, code, this.now());
    this.record(name, 'passcode', ok ? 'passcode accepted' : 'passcode rejected');
    return ok;
  }

  /** "Texts" new one-time passcodes to the user (shown on the page). */
  sendSms(name: string): void {
    this.user(name).smsCodes = smsPasscodes();
    this.record(name, 'sms', 'SMS passcodes sent');
  }

  /** What the page shows. */
  snapshot(): StateSnapshot {
    const now = this.now();
    const byName = [...this.users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const users = byName.map((u) => {
      const { code, expiresAt } = currentPasscode(u.seed, now);
      return { user: u.name, device: u.device.device, number: u.device.number, passcode: code, passcodeExpiresAt: expiresAt, smsCodes: [...u.smsCodes] };
    });
    return { pending: [...this.waiting.values()].map((w) => w.push), users, history: [...this.history] };
  }

  /** Ends every pending push as `cancelled`. */
  close(): void {
    for (const id of [...this.waiting.keys()]) this.finish(id, 'cancelled');
  }

  private finish(id: string, verdict: PushVerdict): boolean {
    const w = this.waiting.get(id);
    if (!w) return false;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    this.record(w.push.user, w.push.factor, RESULT_TEXT[verdict]);
    w.resolve(verdict);
    return true;
  }

  private record(user: string, factor: HistoryEntry['factor'], result: string): void {
    this.history.unshift({ at: this.now(), user, factor, result });
    this.history.length = Math.min(this.history.length, HISTORY_LENGTH);
  }

  private evictIfFull(): void {
    if (this.users.size < (this.opts.maxUsers ?? 1000)) return;
    const busy = new Set([...this.waiting.values()].map((w) => w.push.user));
    for (const name of this.users.keys()) {
      if (!busy.has(name)) {
        this.users.delete(name);
        return;
      }
    }
  }
}
