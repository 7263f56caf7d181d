/**
 * Per-user brute-force and push-bombing state (our extension; Junos `retry-options` semantics):
 * failed primary logins counted in a window, a growing back-off delay past
 * `user_backoff_threshold`, a lockout after `user_tries_before_lockout` failures during which the
 * directory is not contacted, and a cap on out-of-band Duo requests per window.
 *
 * Pure bookkeeping: every method takes `now` (ms) and returns a value; nothing sleeps or logs
 * here (src/guard/section-guard.ts does). Tables are LRU-bounded by `user_table_size`; locks
 * live in their own table so that flooding failures for other names cannot evict a lock.
 */
import { LruMap } from '../util/lru-map.js';
import type { GuardSettings } from './settings.js';

/** What to do with a primary attempt. */
export type UserAdmission =
  /** Go on, after `delayMs` (0 = at once); `failures` = failures counted so far. */
  | { readonly kind: 'go'; readonly delayMs: number; readonly failures: number }
  /** Locked: refuse without contacting the directory. */
  | { readonly kind: 'locked'; readonly remainingMs: number; readonly failures: number }
  /** Failures plus attempts in flight already reach the lockout count: refuse this one. */
  | { readonly kind: 'busy'; readonly inFlight: number; readonly failures: number };

interface FailureWindow {
  count: number;
  readonly start: number;
}

interface Lock {
  readonly until: number;
  readonly failures: number;
}

/** Normalises a user name to the key its counters live under (see {@link userKey}). */
export function userKey(name: string): string {
  // Active Directory resolves `alice`, `ALICE`, `EXAMPLE\alice` and `alice@example.com` to one
  // account (and one bad-password counter), so an attacker must not get a fresh budget per form.
  let n = name.trim().toLowerCase();
  const slash = n.lastIndexOf('\\');
  if (slash >= 0) n = n.slice(slash + 1);
  const at = n.indexOf('@');
  if (at > 0) n = n.slice(0, at);
  return n;
}

/** Failure, lock and push tables of one server section. */
export class UserGuard {
  private readonly failures: LruMap<string, FailureWindow>;
  private readonly locks: LruMap<string, Lock>;
  private readonly pushes: LruMap<string, number[]>;
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly s: GuardSettings) {
    this.failures = new LruMap(s.userTableSize);
    this.locks = new LruMap(s.userTableSize);
    this.pushes = new LruMap(s.userTableSize);
  }

  /** Entries held, for tests of the bounds. */
  get sizes(): { failures: number; locks: number; pushes: number; inFlight: number } {
    return { failures: this.failures.size, locks: this.locks.size, pushes: this.pushes.size, inFlight: this.inFlight.size };
  }

  /** Failures counted for `key` at `now` (0 when the window has passed). */
  failureCount(key: string, now: number): number {
    const w = this.failures.peek(key);
    if (!w) return 0;
    if (now - w.start >= this.s.userFailureWindowSeconds * 1000) {
      this.failures.delete(key);
      return 0;
    }
    return w.count;
  }

  /**
   * Decides a new primary attempt. Attempt n = failures + attempts in flight + 1; past the
   * threshold it waits `factor × (n − threshold)` s, capped — counting attempts in flight keeps
   * parallel guesses from sharing one small delay or slipping past the lockout count.
   */
  admit(key: string, now: number): UserAdmission {
    const lock = this.locks.peek(key);
    if (lock && now < lock.until) return { kind: 'locked', remainingMs: lock.until - now, failures: lock.failures };
    if (lock) this.locks.delete(key);
    const failures = this.failureCount(key, now);
    const inFlight = this.inFlight.get(key) ?? 0;
    const tries = this.s.userTriesBeforeLockout;
    if (tries > 0 && failures + inFlight >= tries) return { kind: 'busy', inFlight, failures };
    return { kind: 'go', delayMs: this.delayFor(failures + inFlight + 1), failures };
  }

  /** Back-off delay of attempt number `n` (ms). */
  delayFor(n: number): number {
    const t = this.s.userBackoffThreshold;
    if (t <= 0 || n <= t) return 0;
    return Math.min(this.s.userBackoffFactor * (n - t), this.s.userBackoffMaxSeconds) * 1000;
  }

  /** An admitted attempt starts (counted until {@link end}). */
  begin(key: string): void {
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
  }

  /** An admitted attempt ended. */
  end(key: string): void {
    const n = (this.inFlight.get(key) ?? 0) - 1;
    if (n > 0) this.inFlight.set(key, n);
    else this.inFlight.delete(key);
  }

  /** Records a failed login; returns the count and whether it locked the user just now. */
  failed(key: string, now: number): { failures: number; locked: boolean } {
    const count = this.failureCount(key, now) + 1;
    const w = this.failures.get(key);
    if (w) w.count = count;
    else this.failures.set(key, { count, start: now });
    const tries = this.s.userTriesBeforeLockout;
    if (tries <= 0 || count < tries) return { failures: count, locked: false };
    this.locks.set(key, { until: now + this.s.userLockoutMinutes * 60_000, failures: count });
    this.failures.delete(key);
    return { failures: count, locked: true };
  }

  /** A successful login resets the failure count (and a lock set while it was in flight). */
  succeeded(key: string): void {
    this.failures.delete(key);
    this.locks.delete(key);
  }

  /**
   * Counts one out-of-band Duo request (push, phone call, SMS) if the user is under the cap.
   * Returns the number already sent in the window when refused, or undefined when allowed.
   */
  takePush(key: string, now: number): number | undefined {
    const max = this.s.userMaxPushesPerWindow;
    if (max <= 0) return undefined;
    const since = now - this.s.userPushWindowSeconds * 1000;
    const times = (this.pushes.get(key) ?? []).filter((t) => t > since);
    if (times.length >= max) {
      this.pushes.set(key, times);
      return times.length;
    }
    times.push(now);
    this.pushes.set(key, times);
    return undefined;
  }

  /** An approved Duo login clears the user's push count (the user showed presence). */
  pushApproved(key: string): void {
    this.pushes.delete(key);
  }
}
