/**
 * The lifetime of one Duo call (spec §6.1: `api_timeout` covers the whole call including connect;
 * 0 = no timeout): one AbortSignal that fires on the caller's abort or on the deadline, and a
 * record of which of the two fired so the failure can be classed as `timeout` or an abort.
 */

/** One call's abort/deadline state; dispose it when the call ends. */
export class CallScope {
  /** Aborts every request and wait of this call. */
  readonly signal: AbortSignal;
  private readonly controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timedOutFlag = false;
  private readonly onCallerAbort = (): void => this.controller?.abort(new Error('aborted by caller'));

  /**
   * @param timeoutSec whole-call limit in seconds (`api_timeout`); 0 or less means none
   * @param caller the caller's signal (e.g. the RADIUS request being abandoned)
   */
  constructor(
    readonly timeoutSec: number,
    private readonly caller: AbortSignal,
  ) {
    // Without a deadline (api_timeout = 0, the default) the caller's signal is the call's signal:
    // an own AbortController plus a listener on the caller's (one shared by every login in flight)
    // cost ~3 us per call, measured (bench/README.md).
    if (timeoutSec <= 0) {
      this.controller = undefined;
      this.signal = caller;
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    this.signal = controller.signal;
    if (caller.aborted) this.onCallerAbort();
    else caller.addEventListener('abort', this.onCallerAbort, { once: true });
    if (!caller.aborted) {
      this.timer = setTimeout(() => {
        this.timedOutFlag = true;
        controller.abort(new Error('api_timeout expired'));
      }, timeoutSec * 1000);
    }
  }

  /** True once the deadline fired (before any caller abort). */
  get timedOut(): boolean {
    return this.timedOutFlag;
  }

  /** True when the caller aborted (and the deadline had not fired first). */
  get callerAborted(): boolean {
    return this.caller.aborted && !this.timedOutFlag;
  }

  /** Waits `ms` without busy looping; resolves early (false) when the scope aborts. */
  sleep(ms: number): Promise<boolean> {
    if (this.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (slept: boolean): void => {
        clearTimeout(t);
        this.signal.removeEventListener('abort', onAbort);
        resolve(slept);
      };
      const onAbort = (): void => done(false);
      const t = setTimeout(() => done(true), Math.max(0, ms));
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Releases the timer and the listener on the caller's signal. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.controller) this.caller.removeEventListener('abort', this.onCallerAbort);
  }
}
