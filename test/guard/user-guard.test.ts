/**
 * Per-user bookkeeping (src/guard/user-guard.ts) with explicit times: the back-off delay growing
 * past the threshold, the lockout and its expiry, the failure window, attempts in flight, the
 * push cap and its window, key normalisation and the table bounds.
 */
import { describe, expect, it } from 'vitest';
import { GUARD_OFF, type GuardSettings } from '../../src/guard/settings.js';
import { UserGuard, userKey } from '../../src/guard/user-guard.js';

const T0 = 5_000_000;
const settings = (over: Partial<GuardSettings>): GuardSettings => ({ ...GUARD_OFF, ...over });

describe('back-off (user_backoff_threshold, user_backoff_factor, user_backoff_max_seconds)', () => {
  it('attempt n waits factor × (n − threshold) s past the threshold, capped', () => {
    const g = new UserGuard(settings({ userBackoffThreshold: 3, userBackoffFactor: 5, userBackoffMaxSeconds: 22 }));
    expect([1, 2, 3, 4, 5, 6, 7, 100].map((n) => g.delayFor(n))).toEqual([0, 0, 0, 5000, 10000, 15000, 20000, 22000]);
  });

  it('the delay grows with each recorded failure and a success resets it', () => {
    const g = new UserGuard(settings({ userBackoffThreshold: 2, userBackoffFactor: 4 }));
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const a = g.admit('alice', T0 + i);
      expect(a.kind).toBe('go');
      delays.push(a.kind === 'go' ? a.delayMs : -1);
      g.failed('alice', T0 + i);
    }
    expect(delays).toEqual([0, 0, 4000, 8000, 12000]);
    g.succeeded('alice');
    expect(g.admit('alice', T0 + 10)).toEqual({ kind: 'go', delayMs: 0, failures: 0 });
  });

  it('attempts in flight count: parallel guesses wait longer each instead of sharing one delay', () => {
    const g = new UserGuard(settings({ userBackoffThreshold: 1, userBackoffFactor: 3 }));
    g.failed('alice', T0);
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const a = g.admit('alice', T0);
      delays.push(a.kind === 'go' ? a.delayMs : -1);
      g.begin('alice');
    }
    expect(delays).toEqual([3000, 6000, 9000]);
    for (let i = 0; i < 3; i++) g.end('alice');
    expect(g.sizes.inFlight).toBe(0);
  });

  it('with user_backoff_max_seconds=0 there is no delay at all', () => {
    const g = new UserGuard(settings({ userBackoffThreshold: 1, userBackoffFactor: 5, userBackoffMaxSeconds: 0 }));
    expect(g.delayFor(10)).toBe(0);
  });
});

describe('lockout (user_tries_before_lockout, user_lockout_minutes, user_failure_window_seconds)', () => {
  const s = settings({ userTriesBeforeLockout: 3, userLockoutMinutes: 10, userFailureWindowSeconds: 60 });

  it('the third failure locks for 10 minutes; the lock expires and the count starts again', () => {
    const g = new UserGuard(s);
    expect(g.failed('bob', T0)).toEqual({ failures: 1, locked: false });
    expect(g.failed('bob', T0 + 1000)).toEqual({ failures: 2, locked: false });
    expect(g.failed('bob', T0 + 2000)).toEqual({ failures: 3, locked: true });
    expect(g.admit('bob', T0 + 2000)).toEqual({ kind: 'locked', remainingMs: 600_000, failures: 3 });
    expect(g.admit('bob', T0 + 2000 + 599_999)).toMatchObject({ kind: 'locked', remainingMs: 1 });
    expect(g.admit('bob', T0 + 2000 + 600_000)).toEqual({ kind: 'go', delayMs: 0, failures: 0 });
    expect(g.sizes.locks).toBe(0);
    expect(g.failed('bob', T0 + 700_000)).toEqual({ failures: 1, locked: false });
  });

  it('failures older than the window (counted from the first) are forgotten', () => {
    const g = new UserGuard(s);
    g.failed('carol', T0);
    g.failed('carol', T0 + 30_000);
    expect(g.failureCount('carol', T0 + 59_999)).toBe(2);
    expect(g.failureCount('carol', T0 + 60_000)).toBe(0);
    expect(g.failed('carol', T0 + 61_000)).toEqual({ failures: 1, locked: false });
  });

  it('a success resets the count and lifts a lock set while it was in flight', () => {
    const g = new UserGuard(s);
    g.failed('dave', T0);
    g.failed('dave', T0);
    g.succeeded('dave');
    expect(g.failureCount('dave', T0)).toBe(0);
    for (let i = 0; i < 3; i++) g.failed('dave', T0);
    g.succeeded('dave');
    expect(g.admit('dave', T0).kind).toBe('go');
  });

  it('failures plus attempts in flight reaching the count refuse further attempts (busy)', () => {
    const g = new UserGuard(s);
    g.failed('erin', T0);
    g.begin('erin');
    expect(g.admit('erin', T0).kind).toBe('go');
    g.begin('erin');
    expect(g.admit('erin', T0)).toEqual({ kind: 'busy', inFlight: 2, failures: 1 });
    g.end('erin');
    expect(g.admit('erin', T0).kind).toBe('go');
  });

  it('users are independent', () => {
    const g = new UserGuard(s);
    for (let i = 0; i < 3; i++) g.failed('frank', T0);
    expect(g.admit('frank', T0).kind).toBe('locked');
    expect(g.admit('grace', T0).kind).toBe('go');
  });
});

describe('push cap (user_max_pushes_per_window, user_push_window_seconds)', () => {
  const s = settings({ userMaxPushesPerWindow: 3, userPushWindowSeconds: 300 });

  it('allows 3 pushes in the window, refuses the 4th, and allows again once the oldest leaves the window', () => {
    const g = new UserGuard(s);
    expect(g.takePush('alice', T0)).toBeUndefined();
    expect(g.takePush('alice', T0 + 100_000)).toBeUndefined();
    expect(g.takePush('alice', T0 + 200_000)).toBeUndefined();
    expect(g.takePush('alice', T0 + 250_000)).toBe(3);
    expect(g.takePush('alice', T0 + 299_999)).toBe(3);
    expect(g.takePush('alice', T0 + 300_001)).toBeUndefined(); // the T0 push has left the window
    expect(g.takePush('alice', T0 + 300_002)).toBe(3);
  });

  it('an approved login clears the count; other users are independent', () => {
    const g = new UserGuard(s);
    for (let i = 0; i < 3; i++) g.takePush('bob', T0);
    expect(g.takePush('bob', T0)).toBe(3);
    expect(g.takePush('carol', T0)).toBeUndefined();
    g.pushApproved('bob');
    expect(g.takePush('bob', T0)).toBeUndefined();
  });

  it('off (0) never refuses and stores nothing', () => {
    const g = new UserGuard(GUARD_OFF);
    for (let i = 0; i < 100; i++) expect(g.takePush('alice', T0)).toBeUndefined();
    expect(g.sizes.pushes).toBe(0);
  });
});

describe('keys and bounds', () => {
  it('one counter per directory account: case, DOMAIN\\user and user@realm map to the same key', () => {
    expect(['alice', 'ALICE', ' Alice ', 'EXAMPLE\\alice', 'alice@example.com', 'Alice@Other.Org'].map(userKey)).toEqual(Array(6).fill('alice'));
    expect(userKey('@alice')).toBe('@alice');
  });

  it('cycling 50,000 user names keeps every table at user_table_size', () => {
    const g = new UserGuard(settings({ userTriesBeforeLockout: 2, userMaxPushesPerWindow: 1, userTableSize: 500 }));
    for (let i = 0; i < 50_000; i++) {
      g.failed(`u${i}`, T0);
      g.takePush(`u${i}`, T0);
      if (i % 2 === 0) g.failed(`u${i}`, T0);
    }
    const sizes = g.sizes;
    expect(sizes.failures).toBeLessThanOrEqual(500);
    expect(sizes.locks).toBeLessThanOrEqual(500);
    expect(sizes.pushes).toBeLessThanOrEqual(500);
    expect(sizes.failures + sizes.locks + sizes.pushes).toBeGreaterThan(0);
  });

  it('a flood of single failures for other names does not evict a lock', () => {
    const g = new UserGuard(settings({ userTriesBeforeLockout: 2, userTableSize: 100 }));
    g.failed('victim', T0);
    g.failed('victim', T0);
    for (let i = 0; i < 10_000; i++) g.failed(`flood${i}`, T0);
    expect(g.admit('victim', T0).kind).toBe('locked');
  });
});
