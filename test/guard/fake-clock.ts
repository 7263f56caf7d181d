/** A hand-driven {@link GuardClock} for the guard's unit tests: time moves only on `advance`. */
import type { GuardClock } from '../../src/guard/clock.js';

interface Sleeper {
  readonly until: number;
  readonly resolve: (done: boolean) => void;
}

/** Fake time in ms; sleeps resolve when `advance` passes their end (or on abort). */
export class FakeClock implements GuardClock {
  private t = 1_000_000;
  private sleepers: Sleeper[] = [];
  /** Every sleep requested, in ms (what the back-off asked for). */
  readonly sleeps: number[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    this.sleeps.push(ms);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const s: Sleeper = { until: this.t + ms, resolve };
      this.sleepers.push(s);
      signal.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((x) => x !== s);
        resolve(false);
      }, { once: true });
    });
  }

  /** Sleeps still waiting. */
  get waiting(): number {
    return this.sleepers.length;
  }

  /** Moves time forward and wakes the sleeps that are due. */
  async advance(ms: number): Promise<void> {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.until <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.until > this.t);
    for (const s of due) s.resolve(true);
    await new Promise((r) => setImmediate(r));
  }
}
