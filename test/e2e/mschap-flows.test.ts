/**
 * The MS-CHAPv2 paths beyond a plain login, end to end (real proxy, real FreeRADIUS, fake Duo API):
 * the E=648 rule and the passcode quirk of spec §5.4 I, and password changes (H).
 *
 * FreeRADIUS users: alice (normal), erin (SMB-Account-CTRL = normal + password expired, so
 * rlm_mschap answers `E=648` for the right password), carl (any request carrying MS-CHAP2-CPW is
 * accepted — FreeRADIUS cannot change passwords without ntlm_auth; the upstream's decision is what
 * the proxy must mirror), dave (unknown: every change is rejected).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAccessRequest, textAttribute } from '../../src/radius/access-request.js';
import { Attr, attributeValues, firstValue, resolveAttribute, vendorAttribute } from '../../src/radius/dictionary.js';
import { decryptSalted } from '../../src/radius/mppe.js';
import type { RadiusAttribute } from '../../src/radius/types.js';
import { smartphone, startFakeDuoApi, type FakeDuoApi, type UserScenario } from '../fakes/duo-api/index.js';
import { startFreeRadius, type FreeRadiusHandle } from '../harness/freeradius.js';
import { NAS_SECRET, radiusClientSection, startE2e, stateOf, type E2e, type Reply } from './env.js';
import { mschapV2Login } from './mschap-v2.js';

const USERS = `alice   Cleartext-Password := "alicepw"
        Reply-Message := "Hello alice"

erin    Cleartext-Password := "erinpw", SMB-Account-CTRL := ${0x00100000 | 0x00020000}

carl    MS-CHAP2-CPW =* ANY, Auth-Type := Accept
        Reply-Message := "password changed"
`;
const SUCCESS = 'Success. Logging you in...';
const E691 = '\x00E=691 R=0 V=3';

let fr: FreeRadiusHandle;
let duo: FakeDuoApi;
let env: E2e;
let pushOnly: E2e;
let nextId = 100;

const ms = (name: string, value: Buffer): RadiusAttribute => {
  const ref = resolveAttribute(name)!;
  return vendorAttribute(ref.vendorId!, ref.vendorType!, value);
};
const values = (r: Reply, name: string) => attributeValues(r.packet.attributes, resolveAttribute(name)!).map((v) => v.toString('latin1'));
const loginsOk = (user: string) => (fr.log().match(new RegExp(`Login OK: \\[${user}`, 'g')) ?? []).length;
const preauths = () => duo.calls.filter((c) => c.endpoint === 'preauth');
const auths = () => duo.calls.filter((c) => c.endpoint === 'auth' && !c.path.endsWith('auth_status'));

/** Sends one request from the e2e NAS and returns the decoded reply and the request bytes. */
async function send(e: E2e, attributes: RadiusAttribute[], password?: string): Promise<{ reply: Reply; request: Buffer }> {
  const request = encodeAccessRequest({
    identifier: nextId++ % 256,
    secret: Buffer.from(NAS_SECRET),
    attributes,
    password: password === undefined ? undefined : Buffer.from(password),
  });
  e.nas.send(request, e.port);
  const raw = await e.nas.next(10_000);
  if (!raw) throw new Error('no reply');
  return { reply: e.decode(raw, request), request };
}

function mschapLogin(user: string, password: string): RadiusAttribute[] {
  const l = mschapV2Login(user, password);
  return [textAttribute(Attr.UserName, user), ms('MS-CHAP-Challenge', l.challenge), ms('MS-CHAP2-Response', l.response)];
}

/** A password change request shaped as RFC 2548 §2.3.3 / §2.3.4 prescribe (content random). */
function changeRequest(user: string): RadiusAttribute[] {
  const cpw = Buffer.concat([Buffer.from([7, 1]), randomBytes(66)]);
  const encPw = [0, 1, 2].map((seq) => ms('MS-CHAP-NT-Enc-PW', Buffer.concat([Buffer.from([6, 1, 0, seq + 1]), randomBytes(seq < 2 ? 243 : 30)])));
  return [textAttribute(Attr.UserName, user), ms('MS-CHAP-Challenge', randomBytes(16)), ms('MS-CHAP2-CPW', cpw), ...encPw];
}

const phone = (push: 'allow' | 'deny'): UserScenario => ({
  kind: 'auth',
  devices: [smartphone('DPUSER00000000000001')],
  push: { result: push, status: push === 'allow' ? SUCCESS : 'Login request denied.' },
});
const tokenOnly: UserScenario = { kind: 'auth', devices: [{ device: 'DTOKEN00000000000001', type: 'token', capabilities: [] }], passcodes: ['123456'] };

beforeAll(async () => {
  [fr, duo] = await Promise.all([startFreeRadius({ users: USERS }), startFakeDuoApi()]);
  const client = radiusClientSection(fr, 'pass_through_all=true');
  env = await startE2e({ duo, clientSection: client, serverOptions: 'factors=auto,passcode' });
  pushOnly = await startE2e({ duo, clientSection: client, serverOptions: 'factors=push' });
});
afterAll(async () => {
  await pushOnly?.close();
  await env?.close();
  await duo?.close();
  await fr?.stop();
});

describe('spec §5.4 I: E=648 (password expired)', () => {
  it('Duo would let the user in → the upstream E=648 reaches the NAS (the client may offer a change); preauth only', async () => {
    await duo.reset();
    duo.setUser('erin', phone('allow'));
    const { reply } = await send(env, mschapLogin('erin', 'erinpw'));
    expect(reply.code).toBe(3);
    expect(values(reply, 'MS-CHAP-Error')).toEqual([expect.stringMatching(/E=648/)]);
    expect([preauths().length, auths().length]).toEqual([1, 0]);
  });

  it.each(['deny', 'enroll'] as const)('preauth %s → E=648 replaced by 691, so no password-change dialog', async (kind) => {
    await duo.reset();
    duo.setUser('erin', { kind });
    const { reply } = await send(env, mschapLogin('erin', 'erinpw'));
    expect(reply.code).toBe(3);
    expect(values(reply, 'MS-CHAP-Error')).toEqual([E691]);
  });
});

describe('spec §5.4 I quirk: factor selection picks passcode for an MS-CHAPv2 login', () => {
  it('challenge, then the passcode answer: Duo auth, the ORIGINAL request goes upstream again, Accept without Reply-Message, keys for the answer', async () => {
    await duo.reset();
    duo.setUser('alice', tokenOnly);
    const login = mschapV2Login('alice', 'alicepw', 5);
    const attrs = [textAttribute(Attr.UserName, 'alice'), ms('MS-CHAP-Challenge', login.challenge), ms('MS-CHAP2-Response', login.response)];
    const before = loginsOk('alice');
    const first = await send(env, attrs);
    expect([first.reply.code, first.reply.message]).toEqual([11, 'Enter passcode:']);
    const state = stateOf(first.reply)!;
    const answer = await send(env, [textAttribute(Attr.UserName, 'alice'), { type: Attr.State, value: state }], '123456');
    expect(answer.reply.code).toBe(2);
    expect(answer.reply.message).toBeUndefined();
    expect(auths().map((c) => c.params['auto'])).toEqual(['123456']);
    expect(loginsOk('alice') - before).toBe(2);
    expect(values(answer.reply, 'MS-CHAP2-Success')).toEqual([`\x05${login.authenticatorResponse}`]);
    // The keys answer the *answer* request: encrypted with the NAS secret and its authenticator.
    const sendKey = attributeValues(answer.reply.packet.attributes, resolveAttribute('MS-MPPE-Send-Key')!)[0]!;
    const d = decryptSalted(sendKey, { secret: Buffer.from(NAS_SECRET), authenticator: answer.request.subarray(4, 20) });
    expect(d).toMatchObject({ ok: true, data: login.keys.send });
  });

  it('a wrong passcode → Reject with Duo\'s text and MS-CHAP-Error 691; the upstream is not asked again', async () => {
    await duo.reset();
    duo.setUser('alice', tokenOnly);
    const before = loginsOk('alice');
    const first = await send(env, mschapLogin('alice', 'alicepw'));
    const answer = await send(env, [textAttribute(Attr.UserName, 'alice'), { type: Attr.State, value: stateOf(first.reply)! }], '999999');
    expect(answer.reply.code).toBe(3);
    expect(answer.reply.message).toBeTruthy();
    expect(values(answer.reply, 'MS-CHAP-Error')).toEqual([E691]);
    expect(loginsOk('alice') - before).toBe(1);
  });
});

describe('spec §5.4 H: MS-CHAPv2 password change (MS-CHAP2-CPW)', () => {
  const upstreamRequests = () => (fr.log().match(/\bcarl\b|\bdave\b/g) ?? []).length;

  it('preauth allow → forwarded, the upstream Accept mirrored without Reply-Message; no auth call', async () => {
    await duo.reset();
    duo.setUser('carl', { kind: 'allow' });
    const before = upstreamRequests();
    const { reply } = await send(env, changeRequest('carl'));
    expect(upstreamRequests()).toBe(before + 1);
    expect(reply.code).toBe(2);
    expect(reply.message).toBeUndefined();
    expect([preauths().length, auths().length]).toEqual([1, 0]);
  });

  it.each(['deny', 'enroll'] as const)('preauth %s → Reject with MS-CHAP-Error 691, no Reply-Message, nothing forwarded', async (kind) => {
    await duo.reset();
    duo.setUser('carl', { kind });
    const before = upstreamRequests();
    const { reply } = await send(env, changeRequest('carl'));
    expect([reply.code, reply.message]).toEqual([3, undefined]);
    expect(values(reply, 'MS-CHAP-Error')).toEqual([E691]);
    expect(upstreamRequests()).toBe(before);
  });

  it('preauth auth + push approved → auth first, then forwarded; push denied → Reject 691, not forwarded', async () => {
    await duo.reset();
    duo.setUser('carl', phone('allow'));
    let { reply } = await send(env, changeRequest('carl'));
    expect([reply.code, reply.message]).toEqual([2, undefined]);
    expect(auths().map((c) => c.params['auto'])).toEqual(['push1']);
    duo.setUser('carl', phone('deny'));
    const before = upstreamRequests();
    ({ reply } = await send(env, changeRequest('carl')));
    expect([reply.code, reply.message]).toEqual([3, 'Login request denied.']);
    expect(values(reply, 'MS-CHAP-Error')).toEqual([E691]);
    expect(upstreamRequests()).toBe(before);
  });

  it('passcode → "Enter passcode:"; the answer authenticates, then the change goes upstream', async () => {
    await duo.reset();
    duo.setUser('carl', tokenOnly);
    const first = await send(env, changeRequest('carl'));
    expect([first.reply.code, first.reply.message]).toEqual([11, 'Enter passcode:']);
    const answer = await send(env, [textAttribute(Attr.UserName, 'carl'), { type: Attr.State, value: stateOf(first.reply)! }], '123456');
    expect([answer.reply.code, answer.reply.message]).toEqual([2, undefined]);
    expect(auths().map((c) => c.params['auto'])).toEqual(['123456']);
  });

  it('no usable factor → "User has no Duo factors usable with this configuration" with MS-CHAP-Error', async () => {
    await duo.reset();
    duo.setUser('carl', tokenOnly);
    const { reply } = await send(pushOnly, changeRequest('carl'));
    expect([reply.code, reply.message]).toEqual([3, 'User has no Duo factors usable with this configuration']);
    expect(values(reply, 'MS-CHAP-Error')).toEqual([E691]);
  });

  it('the upstream refuses the change → its Reject mirrored without Reply-Message, with an MS-CHAP-Error', async () => {
    await duo.reset();
    duo.setUser('dave', { kind: 'allow' });
    const { reply } = await send(env, changeRequest('dave'));
    expect([reply.code, reply.message]).toEqual([3, undefined]);
    expect(values(reply, 'MS-CHAP-Error')).toHaveLength(1);
    expect(firstValue(reply.packet.attributes, Attr.ReplyMessage)).toBeUndefined();
  });
});
