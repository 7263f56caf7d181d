/**
 * Per-NAS admission control (our extension; Junos `rate-limit` and `connection-limit`): a token
 * bucket of `nas_rate_limit` new Access-Requests per second (bucket size `nas_rate_burst`, default
 * one second worth) and a cap of `nas_max_pending` logins in progress per NAS address.
 *
 * Excess requests are dropped, not rejected: a NAS retransmits, and a reject would end a login
 * that the proxy simply had no room for yet. Every drop is counted and logged (rate-limited).
 */
import type { Logger } from '../log/logger.js';
import type { NasAdmission } from '../radius/server.js';
import type { GuardClock } from './clock.js';
import { LogLimiter } from '../log/log-limiter.js';
import { LruMap } from '../util/lru-map.js';
import type { GuardSettings } from './settings.js';

/** NAS addresses tracked at most (a CIDR client entry can cover many source addresses). */
export const NAS_TABLE_SIZE = 4096;

/** Drop reasons as counted in the listener's stats. */
export const NAS_DROP = {
  rate: 'NAS request rate above nas_rate_limit',
  pending: 'NAS logins in progress at nas_max_pending',
} as const;

/** Drop counters of a {@link NasGuard}. */
export interface NasCounters {
  rateDrops: number;
  pendingDrops: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets and pending counts per NAS address. */
export class NasGuard implements NasAdmission {
  readonly counters: NasCounters = { rateDrops: 0, pendingDrops: 0 };
  private readonly buckets = new LruMap<string, Bucket>(NAS_TABLE_SIZE);
  private readonly pending = new Map<string, number>();
  private readonly capacity: number;
  private readonly logLimiter: LogLimiter;

  constructor(
    private readonly s: GuardSettings,
    private readonly clock: GuardClock,
    log: Logger,
  ) {
    this.capacity = s.nasRateBurst > 0 ? s.nasRateBurst : s.nasRateLimit;
    this.logLimiter = new LogLimiter(log, clock);
  }

  /** Logins in progress from `nas`. */
  pendingOf(nas: string): number {
    return this.pending.get(nas) ?? 0;
  }

  /** Admits a new Access-Request from `nas` (and counts it as pending), or names why not. */
  admit(nas: string): string | undefined {
    const max = this.s.nasMaxPending;
    if (max > 0 && this.pendingOf(nas) >= max) {
      this.counters.pendingDrops++;
      this.logLimiter.note(`pending|${nas}`, `dropping Access-Request from ${nas} - ${max} logins already in progress (nas_max_pending)`);
      return NAS_DROP.pending;
    }
    if (this.s.nasRateLimit > 0 && !this.takeToken(nas)) {
      this.counters.rateDrops++;
      this.logLimiter.note(`rate|${nas}`, `dropping Access-Request from ${nas} - more than ${this.s.nasRateLimit} requests/s (nas_rate_limit)`);
      return NAS_DROP.rate;
    }
    this.pending.set(nas, this.pendingOf(nas) + 1);
    return undefined;
  }

  /** An admitted request from `nas` has finished (answered, dropped or failed). */
  release(nas: string): void {
    const n = this.pendingOf(nas) - 1;
    if (n > 0) this.pending.set(nas, n);
    else this.pending.delete(nas);
  }

  private takeToken(nas: string): boolean {
    const now = this.clock.now();
    const b = this.buckets.get(nas) ?? { tokens: this.capacity, at: now };
    b.tokens = Math.min(this.capacity, b.tokens + ((now - b.at) / 1000) * this.s.nasRateLimit);
    b.at = now;
    this.buckets.set(nas, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
