/**
 * The section guard as the pipeline drives it, with a fake clock: the back-off really holds the
 * attempt until the clock passes the delay, locked users are refused (once per login, even with
 * a concat retry), the push cap refuses only out-of-band factors, and the counters add up.
 * Then the whole [radius_server_auto] pipeline with fakes at the seams, to show a locked user
 * never reaches the primary and a capped user never reaches Duo auth.
 */
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/log/logger.js';
import { GuardMsg } from '../../src/guard/messages.js';
import { isOutOfBandFactor, SectionGuard } from '../../src/guard/section-guard.js';
import { buildGuard } from '../../src/guard/index.js';
import { GUARD_OFF, type GuardSettings } from '../../src/guard/settings.js';
import { MemoryAuthEvents } from '../../src/proxy/auth-events.js';
import { AutoServer } from '../../src/proxy/auto-server.js';
import { ChallengeStore } from '../../src/proxy/challenge-store.js';
import type { ChallengeData, SectionPolicy } from '../../src/proxy/context.js';
import { CALLING_STATION_ID, FakeDuo, FakePrimary, fakeRequest } from '../fakes/seams.js';
import { FakeClock } from './fake-clock.js';

const never = new AbortController().signal;
const settings = (over: Partial<GuardSettings>): GuardSettings => ({ ...GUARD_OFF, ...over });

function guardWith(over: Partial<GuardSettings>) {
  const clock = new FakeClock();
  const { log, sink } = memoryLogger();
  const guard = new SectionGuard(settings(over), { log, clock });
  const notes: string[] = [];
  return { guard, clock, sink, notes, note: (t: string) => void notes.push(t) };
}

describe('SectionGuard: primary attempts', () => {
  it('holds an attempt past the threshold until the fake clock passes the back-off delay', async () => {
    const t = guardWith({ userBackoffThreshold: 1, userBackoffFactor: 7 });
    const first = fakeRequest({ user: 'alice', password: 'x' });
    expect(await t.guard.beforePrimary(first, 'alice', never, t.note)).toBeUndefined();
    t.guard.afterPrimary(first, 'alice', 'reject', t.note);
    const second = fakeRequest({ user: 'alice', password: 'y' });
    let done = false;
    const p = t.guard.beforePrimary(second, 'alice', never, t.note).then((r) => ((done = true), r));
    await t.clock.advance(6_999);
    expect(done).toBe(false);
    await t.clock.advance(1);
    expect(await p).toBeUndefined();
    expect(t.clock.sleeps).toEqual([7000]);
    expect(t.notes).toEqual(['1 failed logins: answering after a back-off of 7 s (user_backoff_threshold)']);
    expect(t.guard.counters.delayedAttempts).toBe(1);
  });

  it('a shutdown during the back-off ends the attempt (refusal, nothing left in flight)', async () => {
    const t = guardWith({ userBackoffThreshold: 1, userBackoffFactor: 5 });
    const r1 = fakeRequest({ user: 'alice' });
    await t.guard.beforePrimary(r1, 'alice', never, t.note);
    t.guard.afterPrimary(r1, 'alice', 'reject', t.note);
    const ac = new AbortController();
    const p = t.guard.beforePrimary(fakeRequest({ user: 'alice' }), 'alice', ac.signal, t.note);
    ac.abort();
    expect(await p).toMatchObject({ replyMessage: GuardMsg.locked, quiet: true });
    expect(t.guard.userTables!.sizes.inFlight).toBe(0);
  });

  it('locks after user_tries_before_lockout failures; refuses with the Reply-Message and a log reason', async () => {
    const t = guardWith({ userTriesBeforeLockout: 2, userLockoutMinutes: 1 });
    for (let i = 0; i < 2; i++) {
      const r = fakeRequest({ user: 'bob' });
      expect(await t.guard.beforePrimary(r, 'bob', never, t.note)).toBeUndefined();
      t.guard.afterPrimary(r, 'bob', 'reject', t.note);
    }
    expect(t.notes).toEqual(['2 failed logins: user locked for 1 min (user_tries_before_lockout)']);
    const refused = await t.guard.beforePrimary(fakeRequest({ user: 'BOB' }), 'BOB', never, t.note);
    expect(refused).toEqual({
      replyMessage: GuardMsg.locked,
      logText: 'user locked after 2 failed logins (user_tries_before_lockout), 60 s left: rejecting without contacting the primary server',
    });
    await t.clock.advance(60_000);
    expect(await t.guard.beforePrimary(fakeRequest({ user: 'bob' }), 'bob', never, t.note)).toBeUndefined();
    expect(t.guard.counters).toMatchObject({ lockouts: 1, lockedRefusals: 1 });
  });

  it('a concat retry (two primary attempts in one login) is one failure, and a refusal is logged once', async () => {
    const t = guardWith({ userTriesBeforeLockout: 2 });
    const r = fakeRequest({ user: 'carol' });
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await t.guard.beforePrimary(r, 'carol', never, t.note)).toBeUndefined();
      t.guard.afterPrimary(r, 'carol', 'reject', t.note);
    }
    expect(t.guard.userTables!.failureCount('carol', t.clock.now())).toBe(1);
    const r2 = fakeRequest({ user: 'carol' });
    await t.guard.beforePrimary(r2, 'carol', never, t.note);
    t.guard.afterPrimary(r2, 'carol', 'reject', t.note); // locks
    const r3 = fakeRequest({ user: 'carol' });
    const a = await t.guard.beforePrimary(r3, 'carol', never, t.note);
    const b = await t.guard.beforePrimary(r3, 'carol', never, t.note);
    expect(a?.quiet).toBeUndefined();
    expect(b?.quiet).toBe(true);
    expect(t.guard.counters.lockedRefusals).toBe(1);
  });

  it('a primary outage (unavailable) is not the user\'s failure; an upstream challenge counts as a right password', async () => {
    const t = guardWith({ userTriesBeforeLockout: 1 });
    const r = fakeRequest({ user: 'dave' });
    await t.guard.beforePrimary(r, 'dave', never, t.note);
    t.guard.afterPrimary(r, 'dave', 'unavailable', t.note);
    const r2 = fakeRequest({ user: 'dave' });
    expect(await t.guard.beforePrimary(r2, 'dave', never, t.note)).toBeUndefined();
    t.guard.afterPrimary(r2, 'dave', 'challenge', t.note);
    expect(t.guard.counters.lockouts).toBe(0);
  });
});

describe('SectionGuard: push cap', () => {
  it('counts push/phone/sms/auto factors, not passcodes; refuses past the cap until the window passes', async () => {
    const t = guardWith({ userMaxPushesPerWindow: 2, userPushWindowSeconds: 60 });
    expect(['push', 'push1', 'phone2', 'sms', 'auto', 'PUSH'].every(isOutOfBandFactor)).toBe(true);
    expect(['123456', 'ccccccbchvthlivuitriujjifivbvtrjkjfirllluurfr', 'passcode'].some(isOutOfBandFactor)).toBe(false);
    expect(t.guard.beforeAuth('alice', 'push1', t.note)).toBeUndefined();
    expect(t.guard.beforeAuth('alice', '123456', t.note)).toBeUndefined();
    expect(t.guard.beforeAuth('alice', 'phone1', t.note)).toBeUndefined();
    expect(t.guard.beforeAuth('alice', 'push1', t.note)).toEqual({
      replyMessage: GuardMsg.tooManyPushes,
      logText: '2 Duo push/phone/SMS requests in the last 60 s (user_max_pushes_per_window): rejecting without calling Duo auth',
    });
    expect(t.guard.beforeAuth('alice', '654321', t.note)).toBeUndefined();
    await t.clock.advance(60_001);
    expect(t.guard.beforeAuth('alice', 'push1', t.note)).toBeUndefined();
    expect(t.guard.counters.pushRefusals).toBe(1);
  });
});

describe('every limit off', () => {
  it('buildGuard returns no guard, so Duo configurations run exactly as before', () => {
    expect(buildGuard(GUARD_OFF, memoryLogger().log)).toBeUndefined();
    expect(buildGuard(settings({ nasMaxPending: 1 }), memoryLogger().log)?.nas).toBeDefined();
  });
});

describe('[radius_server_auto] with a guard (fakes at the seams)', () => {
  function setup(over: Partial<GuardSettings>) {
    const primary = new FakePrimary(['good']);
    const duo = new FakeDuo();
    const events = new MemoryAuthEvents();
    const { log, sink } = memoryLogger();
    const clock = new FakeClock();
    const guard = new SectionGuard(settings(over), { log, clock });
    const policy: SectionPolicy = {
      name: 'radius_server_auto', ikey: 'DIXXXXXXXXXXXXXXXXXX', failmode: 'safe', factors: ['auto'], allowConcat: true,
      concat: { delimiter: ',', delimitedPasswordLength: 0 }, exemptUsernames: [], clientIpAttr: CALLING_STATION_ID,
      passThroughAll: false, passThroughAttrs: [], primaryOnly: false,
    };
    const server = new AutoServer({ policy, primary, duo, log, events, challenges: new ChallengeStore<ChallengeData>(), guard });
    return { server, primary, duo, events, sink, guard };
  }

  it('a locked user gets Access-Reject with the lockout text; the primary is not called; a Primary/Reject event is written', async () => {
    const t = setup({ userTriesBeforeLockout: 3 });
    for (let i = 0; i < 3; i++) {
      const o = await t.server.handle(fakeRequest({ user: 'mallory', password: `guess${i},push` }), never);
      expect(o).toMatchObject({ kind: 'reject', replyMessage: 'User Authentication Failed' });
    }
    expect(t.primary.calls).toHaveLength(6); // concat: split attempt + whole password, per login
    const o = await t.server.handle(fakeRequest({ user: 'mallory', password: 'good' }), never);
    expect(o).toEqual({ kind: 'reject', replyMessage: GuardMsg.locked, attributes: [] });
    expect(t.primary.calls).toHaveLength(6);
    expect(t.duo.preauthCalls).toHaveLength(0);
    expect(t.events.events.at(-1)).toMatchObject({ auth_stage: 'Primary authentication', status: 'Reject', msg: GuardMsg.locked });
    expect(t.sink.texts().filter((l) => l.includes('rejecting without contacting the primary server'))).toHaveLength(1);
  });

  it('a success before the lockout resets the count', async () => {
    const t = setup({ userTriesBeforeLockout: 2 });
    await t.server.handle(fakeRequest({ user: 'alice', password: 'bad' }), never);
    expect((await t.server.handle(fakeRequest({ user: 'alice', password: 'good' }), never)).kind).toBe('accept');
    await t.server.handle(fakeRequest({ user: 'alice', password: 'bad' }), never);
    expect((await t.server.handle(fakeRequest({ user: 'alice', password: 'good' }), never)).kind).toBe('accept');
    expect(t.guard.counters.lockouts).toBe(0);
  });

  it('push bombing: after the cap, logins are rejected without a Duo auth call (preauth still answers)', async () => {
    const t = setup({ userMaxPushesPerWindow: 2 });
    t.duo.authAnswer = { result: 'deny', status: 'Login request denied.' };
    for (let i = 0; i < 2; i++) expect(await t.server.handle(fakeRequest({ user: 'alice', password: 'good' }), never)).toMatchObject({ kind: 'reject', replyMessage: 'Login request denied.' });
    const o = await t.server.handle(fakeRequest({ user: 'alice', password: 'good' }), never);
    expect(o).toMatchObject({ kind: 'reject', replyMessage: GuardMsg.tooManyPushes });
    expect(t.duo.authCalls).toHaveLength(2);
    expect(t.events.events.at(-1)).toMatchObject({ auth_stage: 'Secondary authentication', status: 'Reject', msg: GuardMsg.tooManyPushes });
    // a passcode typed after the password still works: it does not reach the phone
    t.duo.authAnswer = { result: 'allow', status: 'Success. Logging you in...' };
    expect((await t.server.handle(fakeRequest({ user: 'alice', password: 'good,123456' }), never)).kind).toBe('accept');
  });
});
