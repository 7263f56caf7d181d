/**
 * Rate-limited log lines for events an attacker can trigger at packet rate (dropped datagrams,
 * per-NAS refusals; spec/security.md: "Log (rate-limited) every drop"): the first occurrence of a key is logged at once, later ones at most once per interval
 * with the number suppressed in between, so a flood costs one line per interval, not one per
 * packet — yet no refusal goes unmentioned (the counters hold the exact numbers).
 */
import type { Logger } from './logger.js';
import { LruMap } from '../util/lru-map.js';

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
    private readonly clock: { now(): number },
    private readonly intervalMs = LOG_INTERVAL_MS,
    private readonly level: 'info' | 'warn' = 'warn',
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
    this.log[this.level](`${text}${more}`);
    this.slots.set(key, { last: now, suppressed: 0 });
  }
}
