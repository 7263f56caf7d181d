/**
 * The guard's view of time, injected so that tests drive back-off delays, lockout windows and
 * token buckets with a fake clock instead of sleeping (house style: injected clock).
 */

/** Milliseconds now, and an abortable sleep. */
export interface GuardClock {
  /** Milliseconds on a monotonic-enough scale (Date.now() in production). */
  now(): number;
  /** Waits `ms`; resolves true when the time passed, false when `signal` aborted first. */
  sleep(ms: number, signal: AbortSignal): Promise<boolean>;
}

/** The real clock: Date.now() and a timer that is cleared on abort. */
export const systemClock: GuardClock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    if (signal.aborted) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  },
};
