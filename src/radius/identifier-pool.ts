/**
 * The Identifier pool of one upstream RADIUS client (spec §3.2 step 1, §9.2): the 256 values of
 * the one-octet Identifier (RFC 2865 §3), handed out in a random order so that a reply cannot be
 * guessed from the previous one. When every value is in flight, callers wait in a bounded FIFO
 * queue (256 entries, as in Duo's proxy); beyond that, acquiring fails at once.
 */
import { randomInt } from 'node:crypto';
import { AuthproxyError } from '../errors.js';

/** RFC 2865 §3: the Identifier field is one octet. */
export const IDENTIFIER_COUNT = 256;

/** Default wait-queue bound (spec §9.2: "a wait queue of 256"). */
export const DEFAULT_MAX_WAITERS = 256;

interface Waiter {
  readonly resolve: (id: number) => void;
  readonly reject: (err: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/** A shuffled pool of the Identifiers 0–255 with a bounded wait queue. */
export class IdentifierPool {
  private readonly free: number[] = [];
  private readonly waiters: Waiter[] = [];

  constructor(private readonly maxWaiters = DEFAULT_MAX_WAITERS) {
    for (let i = 0; i < IDENTIFIER_COUNT; i++) this.free.push(i);
    shuffle(this.free);
  }

  /** Identifiers currently handed out. */
  get inUse(): number {
    return IDENTIFIER_COUNT - this.free.length;
  }

  /** Callers waiting for an Identifier. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** A free Identifier right now, or undefined when all 256 are in flight (never waits). */
  tryAcquire(): number | undefined {
    return this.free.shift();
  }

  /**
   * An Identifier for a new request. Waits (FIFO) when all 256 are in flight; rejects with
   * `AP_ERR_RADIUS_BUSY` when the queue is full, or with `AP_ERR_RADIUS_CANCELLED` on abort.
   */
  acquire(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) return Promise.reject(cancelled('RADIUS auth request aborted'));
    const id = this.free.shift();
    if (id !== undefined) return Promise.resolve(id);
    if (this.waiters.length >= this.maxWaiters) {
      return Promise.reject(new AuthproxyError('AP_ERR_RADIUS_BUSY', 'no free RADIUS identifier: 256 requests in flight and the wait queue is full'));
    }
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: () => this.abandon(waiter) };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Returns an Identifier; the longest-waiting caller gets it, otherwise it goes back at a random place. */
  release(id: number): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(id);
      return;
    }
    this.free.splice(randomInt(this.free.length + 1), 0, id);
  }

  /** Fails every waiting caller (the client is closing). */
  rejectWaiters(err: unknown): void {
    for (const w of this.waiters.splice(0)) {
      w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(err);
    }
  }

  private abandon(waiter: Waiter): void {
    const i = this.waiters.indexOf(waiter);
    if (i >= 0) this.waiters.splice(i, 1);
    waiter.reject(cancelled('RADIUS auth request aborted'));
  }
}

function cancelled(message: string): AuthproxyError {
  return new AuthproxyError('AP_ERR_RADIUS_CANCELLED', message);
}

/** Fisher–Yates with a CSPRNG. */
function shuffle(values: number[]): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
}
