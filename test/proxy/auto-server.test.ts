import { beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/log/logger.js';
import { MemoryAuthEvents } from '../../src/proxy/auth-events.js';
import { AutoServer } from '../../src/proxy/auto-server.js';
import { ChallengeStore } from '../../src/proxy/challenge-store.js';
import type { ChallengeData, SectionPolicy } from '../../src/proxy/context.js';
import type { Outcome } from '../../src/radius/types.js';
import { CALLING_STATION_ID, FakeDuo, FakePrimary, fakeRequest } from '../fakes/seams.js';

const signal = new AbortController().signal;
const CLASS = { type: 25, value: Buffer.from('grp') };

function setup(policy: Partial<SectionPolicy> = {}) {
  const primary = new FakePrimary(['good', 'a,b'], [CLASS]);
  const duo = new FakeDuo();
  const events = new MemoryAuthEvents();
  const { log, sink } = memoryLogger();
  const challenges = new ChallengeStore<ChallengeData>();
  const full: SectionPolicy = {
    name: 'radius_server_auto', ikey: 'DIXXXXXXXXXXXXXXXXXX', failmode: 'safe', factors: ['auto'], allowConcat: true,
    concat: { delimiter: ',', delimitedPasswordLength: 0 }, exemptUsernames: [], clientIpAttr: CALLING_STATION_ID,
    passThroughAll: false, passThroughAttrs: [], primaryOnly: false, ...policy,
  };
  const server = new AutoServer({ policy: full, primary, duo, log, events, challenges });
  return { server, primary, duo, events, sink, challenges };
}

const msg = (o: Outcome) => ('replyMessage' in o ? o.replyMessage : undefined);

describe('[radius_server_auto] pipeline with fakes at the seams (spec §5.4, §13)', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => (t = setup()));

  it('row 4: good password, preauth auth/push1, auth allow → Accept with the status and primary attributes', async () => {
    const o = await t.server.handle(fakeRequest({ user: 'jdoe', password: 'good', callingStationId: '203.0.113.9' }), signal);
    expect(o).toEqual({ kind: 'accept', replyMessage: 'Success. Logging you in...', attributes: [CLASS] });
    expect(t.duo.preauthCalls).toEqual([{ user: 'jdoe', ipaddr: '203.0.113.9', failmode: 'safe' }]);
    expect(t.duo.authCalls).toEqual([{ user: 'jdoe', factor: 'push1', ipaddr: '203.0.113.9' }]);
    expect(t.events.events.map((e) => [e.auth_stage, e.status, e.msg])).toEqual([
      ['Primary authentication', 'Allow', 'Primary authentication successful - Active Directory authentication succeeded'],
      ['Secondary authentication', 'Allow', 'Success. Logging you in...'],
    ]);
  });

  it('row 5: good,123456 → primary with good, auth with the passcode', async () => {
    await t.server.handle(fakeRequest({ user: 'jdoe', password: 'good,123456' }), signal);
    expect(t.primary.calls.map((c) => c.password)).toEqual(['good']);
    expect(t.duo.preauthCalls).toHaveLength(1);
    expect(t.duo.authCalls[0]!.factor).toBe('123456');
  });

  it('row 6: a password containing the delimiter costs two primary attempts, factor chosen automatically', async () => {
    const o = await t.server.handle(fakeRequest({ user: 'jdoe', password: 'a,b' }), signal);
    expect(t.primary.calls.map((c) => c.password)).toEqual(['a', 'a,b']);
    expect(t.duo.authCalls[0]!.factor).toBe('push1');
    expect(o.kind).toBe('accept');
  });

  it('row 7: wrong password → Reject "User Authentication Failed", no Duo call', async () => {
    const o = await t.server.handle(fakeRequest({ user: 'jdoe', password: 'bad' }), signal);
    expect(o).toEqual({ kind: 'reject', replyMessage: 'User Authentication Failed', attributes: [] });
    expect(t.duo.preauthCalls).toHaveLength(0);
    expect(t.events.events.map((e) => e.msg)).toEqual(['Primary credentials rejected - User Authentication Failed']);
  });

  it('rows 8–11: failmode at preauth and auth', async () => {
    t.duo.preauthAnswer = 'transport';
    let o = await t.server.handle(fakeRequest({ user: 'u', password: 'good' }), signal);
    expect(o).toEqual({ kind: 'accept', replyMessage: 'Failmode Safe - Allowed Duo login on preauth failure', attributes: [CLASS] });
    t = setup({ failmode: 'secure' });
    t.duo.preauthAnswer = 'transport';
    o = await t.server.handle(fakeRequest({ user: 'u', password: 'good' }), signal);
    expect(msg(o)).toBe('Failmode Secure - Denied Duo login on preauth failure');
    t = setup();
    t.duo.authAnswer = 'timeout';
    o = await t.server.handle(fakeRequest({ user: 'u', password: 'good' }), signal);
    expect([o.kind, msg(o)]).toEqual(['reject', 'Denied Duo login due to timeout']);
    expect(t.events.events.at(-1)!.status).toBe('Error');
    t = setup();
    t.duo.preauthAnswer = 'http4xx';
    o = await t.server.handle(fakeRequest({ user: 'u', password: 'good' }), signal);
    expect(o.kind).toBe('reject');
    t = setup();
    t.duo.authAnswer = 'http5xx';
    o = await t.server.handle(fakeRequest({ user: 'u', password: 'good' }), signal);
    expect([o.kind, msg(o)]).toEqual(['accept', 'Failmode Safe - Allowed Duo login on preauth failure']);
  });

  it('row 13: factors=passcode → challenge; the answer re-runs preauth then auth; the State is one-shot', async () => {
    t = setup({ factors: ['passcode'] });
    const first = await t.server.handle(fakeRequest({ user: 'jdoe', password: 'good' }), signal);
    expect(first.kind).toBe('challenge');
    if (first.kind !== 'challenge') return;
    expect(first.replyMessage).toBe('Enter passcode:');
    expect(first.state.toString().length).toBe(44);
    const answer = await t.server.handle(fakeRequest({ user: 'jdoe', password: '123456', state: first.state }), signal);
    expect(answer.kind).toBe('accept');
    expect(t.duo.preauthCalls).toHaveLength(2);
    expect(t.duo.authCalls.map((a) => a.factor)).toEqual(['123456']);
    const reuse = await t.server.handle(fakeRequest({ user: 'jdoe', password: '123456', state: first.state }), signal);
    expect(msg(reuse)).toBe('Unknown Challenge');
  });

  it('a State from another source IP or for another user is an Unknown Challenge', async () => {
    t = setup({ factors: ['passcode'] });
    const first = await t.server.handle(fakeRequest({ user: 'jdoe', password: 'good' }), signal);
    if (first.kind !== 'challenge') throw new Error('no challenge');
    const wrongIp = await t.server.handle(fakeRequest({ user: 'jdoe', password: '1', state: first.state, source: '10.0.0.6' }), signal);
    expect(msg(wrongIp)).toBe('Unknown Challenge');
    expect(t.events.events.at(-1)!.msg).toBe("Response to AccessChallenge from wrong source ip: '10.0.0.6'");
  });

  it('row 17: exempt users skip Duo but not primary', async () => {
    t = setup({ exemptUsernames: ['svc'] });
    const o = await t.server.handle(fakeRequest({ user: 'svc', password: 'good' }), signal);
    expect(o).toEqual({ kind: 'accept', replyMessage: 'User exempted from 2FA', attributes: [CLASS] });
    expect(t.primary.calls).toHaveLength(1);
    expect(t.duo.preauthCalls).toHaveLength(0);
  });

  it('no User-Name, empty password, preauth deny/enroll, no usable factor', async () => {
    expect(msg(await t.server.handle(fakeRequest({ password: 'good' }), signal))).toBe('No username provided');
    expect(msg(await t.server.handle(fakeRequest({ user: 'u', password: '' }), signal))).toBe('Missing or improperly-formatted password');
    expect(msg(await t.server.handle(fakeRequest({ user: 'u', password: null }), signal))).toBe('Missing or improperly-formatted password');
    t.duo.preauthAnswer = { result: 'deny', status: 'Access denied' };
    expect(await t.server.handle(fakeRequest({ user: 'u', password: 'good' }), signal)).toEqual({ kind: 'reject', replyMessage: 'Access denied', attributes: [] });
    t.duo.preauthAnswer = { result: 'enroll', status: 'Enroll at https://x' };
    expect(msg(await t.server.handle(fakeRequest({ user: 'u', password: 'good' }), signal))).toBe('Enroll at https://x');
    expect(t.events.events.at(-1)!.msg).toBe('User is not enrolled. Enrollment link sent.');
    t = setup({ factors: ['phone'] });
    t.duo.preauthAnswer = { result: 'auth', status: 's', prompt: 'p', factors: { default: 'push1', '1': 'push1' } };
    expect(msg(await t.server.handle(fakeRequest({ user: 'u', password: 'good' }), signal))).toBe('User has no Duo factors usable with this configuration');
  });
});
