/**
 * The guard of one `radius_server_*` section, as the 2FA pipeline calls it (our extension; all
 * limits off by default): before and after each primary attempt (back-off delay, lockout without
 * contacting the directory), before and after each Duo auth call (push cap), and — through
 * {@link SectionGuard.nas} — at the listener's dispatch (per-NAS rate and pending caps).
 *
 * A request may run primary auth twice (concat split, then the whole password; spec §5.4 D.3):
 * it is checked and delayed once, and counted as at most one failure.
 */
import type { Logger } from '../log/logger.js';
import type { RadiusRequest } from '../radius/types.js';
import { systemClock, type GuardClock } from './clock.js';
import { GuardMsg } from './messages.js';
import { NasGuard } from './nas-guard.js';
import { nasGuardEnabled, userGuardEnabled, type GuardSettings } from './settings.js';
import { UserGuard, userKey } from './user-guard.js';

/** A refused login: the Reply-Message for the NAS and the reason for the log. */
export interface GuardRefusal {
  readonly replyMessage: string;
  readonly logText: string;
  /** Nothing to log or record: this login was already refused (concat retry), or the proxy is stopping. */
  readonly quiet?: boolean;
}

/** Writes one log line in the request's context (`(<src>, <user>, <id>): <text>`). */
export type GuardNote = (text: string) => void;

/** What the guard has refused or delayed so far (for metrics and tests). */
export interface GuardCounters {
  /** Users locked (each time the lockout count was reached). */
  readonly lockouts: number;
  /** Logins refused because the user was locked. */
  readonly lockedRefusals: number;
  /** Logins refused because failures plus attempts in flight reached the lockout count. */
  readonly busyRefusals: number;
  /** Attempts answered late (back-off). */
  readonly delayedAttempts: number;
  /** Logins refused by the push cap (Duo auth not called). */
  readonly pushRefusals: number;
  /** Access-Requests dropped by nas_rate_limit. */
  readonly nasRateDrops: number;
  /** Access-Requests dropped by nas_max_pending. */
  readonly nasPendingDrops: number;
}

/** Out-of-band factors: those that reach the user's phone (push, call, SMS; `auto` = Duo's default). */
export function isOutOfBandFactor(factor: string): boolean {
  return /^(auto|push|phone|sms)\d*$/i.test(factor.trim());
}

/** Options of {@link SectionGuard}. */
export interface SectionGuardOptions {
  readonly log: Logger;
  readonly clock?: GuardClock;
}

/** Per-section brute-force, push-bombing and per-NAS protection. */
export class SectionGuard {
  /** Per-NAS admission for the listener; undefined when no `nas_*` limit is on. */
  readonly nas: NasGuard | undefined;
  private readonly users: UserGuard | undefined;
  private readonly clock: GuardClock;
  private readonly admitted = new WeakSet<RadiusRequest>();
  private readonly counted = new WeakSet<RadiusRequest>();
  private readonly refused = new WeakMap<RadiusRequest, GuardRefusal>();
  private readonly c = { lockouts: 0, lockedRefusals: 0, busyRefusals: 0, delayedAttempts: 0, pushRefusals: 0 };

  constructor(
    readonly settings: GuardSettings,
    opts: SectionGuardOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.users = userGuardEnabled(settings) ? new UserGuard(settings) : undefined;
    this.nas = nasGuardEnabled(settings) ? new NasGuard(settings, this.clock, opts.log) : undefined;
  }

  /** Snapshot of the counters. */
  get counters(): GuardCounters {
    return { ...this.c, nasRateDrops: this.nas?.counters.rateDrops ?? 0, nasPendingDrops: this.nas?.counters.pendingDrops ?? 0 };
  }

  /** The per-user tables (tests check their bounds). */
  get userTables(): UserGuard | undefined {
    return this.users;
  }

  /**
   * Before a primary attempt: refuses locked users (no directory contact), delays attempts past
   * the back-off threshold, else lets it go. An admitted attempt must be followed by
   * {@link afterPrimary}, whatever happens.
   */
  async beforePrimary(request: RadiusRequest, user: string | undefined, signal: AbortSignal, note: GuardNote): Promise<GuardRefusal | undefined> {
    const users = this.users;
    if (!users || user === undefined) return undefined;
    const key = userKey(user);
    if (this.admitted.has(request)) {
      users.begin(key); // second attempt of the same login (concat retry): already checked
      return undefined;
    }
    const earlier = this.refused.get(request);
    if (earlier) return { ...earlier, quiet: true };
    const a = users.admit(key, this.clock.now());
    if (a.kind !== 'go') {
      const refusal = a.kind === 'locked' ? this.refuseLocked(a.remainingMs, a.failures, note) : this.refuseBusy(a.inFlight, a.failures, note);
      this.refused.set(request, refusal);
      return refusal;
    }
    this.admitted.add(request);
    users.begin(key);
    if (a.delayMs > 0) {
      this.c.delayedAttempts++;
      note(`${a.failures} failed logins: answering after a back-off of ${a.delayMs / 1000} s (user_backoff_threshold)`);
      if (!(await this.clock.sleep(a.delayMs, signal))) {
        users.end(key);
        return { replyMessage: GuardMsg.locked, logText: 'back-off interrupted: shutting down', quiet: true };
      }
    }
    return undefined;
  }

  /** After an admitted primary attempt: counts a failure (once per login) or resets on success. */
  afterPrimary(request: RadiusRequest, user: string | undefined, status: 'accept' | 'reject' | 'challenge' | 'unavailable', note: GuardNote): void {
    const users = this.users;
    if (!users || user === undefined || !this.admitted.has(request)) return;
    const key = userKey(user);
    users.end(key);
    if (status === 'accept' || status === 'challenge') return users.succeeded(key);
    if (status !== 'reject' || this.counted.has(request)) return;
    this.counted.add(request);
    const r = users.failed(key, this.clock.now());
    if (r.locked) {
      this.c.lockouts++;
      note(`${r.failures} failed logins: user locked for ${this.settings.userLockoutMinutes} min (user_tries_before_lockout)`);
    }
  }

  /** Before a Duo auth call: refuses it when the user's out-of-band requests reach the cap. */
  beforeAuth(user: string | undefined, factor: string, note: GuardNote): GuardRefusal | undefined {
    if (!this.users || user === undefined || !isOutOfBandFactor(factor)) return undefined;
    const sent = this.users.takePush(userKey(user), this.clock.now());
    if (sent === undefined) return undefined;
    this.c.pushRefusals++;
    const logText = `${sent} Duo push/phone/SMS requests in the last ${this.settings.userPushWindowSeconds} s (user_max_pushes_per_window): rejecting without calling Duo auth`;
    note(logText);
    return { replyMessage: GuardMsg.tooManyPushes, logText };
  }

  /** After a Duo auth call: an approval clears the user's push count. */
  afterAuth(user: string | undefined, allowed: boolean): void {
    if (this.users && user !== undefined && allowed) this.users.pushApproved(userKey(user));
  }

  private refuseLocked(remainingMs: number, failures: number, note: GuardNote): GuardRefusal {
    this.c.lockedRefusals++;
    const logText = `user locked after ${failures} failed logins (user_tries_before_lockout), ${Math.ceil(remainingMs / 1000)} s left: rejecting without contacting the primary server`;
    note(logText);
    return { replyMessage: GuardMsg.locked, logText };
  }

  private refuseBusy(inFlight: number, failures: number, note: GuardNote): GuardRefusal {
    this.c.busyRefusals++;
    const logText = `${failures} failed logins and ${inFlight} in progress reach user_tries_before_lockout: rejecting without contacting the primary server`;
    note(logText);
    return { replyMessage: GuardMsg.busy, logText };
  }
}
