/**
 * Rate-limited log lines for refusals that an attacker can trigger at packet rate (per-NAS
 * drops): the first occurrence of a key is logged at once, later ones at most once per interval
 * with the number suppressed in between, so a flood costs one line per interval, not one per
 * packet — yet no refusal goes unmentioned (the counters hold the exact numbers).
 */
import type { Logger } from '../log/logger.js';
import type { GuardClock } from './clock.js';
import { LruMap } from './lru-map.js';

/** Default interval between two lines of the same key. */
export const LOG_INTERVAL_MS = 10_000;

interface Slot {
  last: number;
  suppressed: number;
}

/** Logs `text` for `key` at most once per interval. */
export class LogLimiter {
  private readonly slots = new LruMap<string, Slot>(1024);

  constructor(
    private readonly log: Logger,
    private readonly clock: GuardClock,
    private readonly intervalMs = LOG_INTERVAL_MS,
  ) {}

  /** Logs now, or counts the line as suppressed when `key` was logged less than an interval ago. */
  note(key: string, text: string): void {
    const now = this.clock.now();
    const slot = this.slots.get(key);
    if (slot && now - slot.last < this.intervalMs) {
      slot.suppressed++;
      return;
    }
    const more = slot && slot.suppressed > 0 ? ` (${slot.suppressed} more since the last message)` : '';
    this.log.warn(`${text}${more}`);
    this.slots.set(key, { last: now, suppressed: 0 });
  }
}
