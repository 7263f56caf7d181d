/**
 * Spec §5.4 E and §3.3 below the e2e level: the real AutoServer and RadiusClient over real UDP
 * to a scripted upstream (test/support/fake-upstream.ts), Duo faked at its seam. Each branch of
 * the relay, the bytes that go upstream, and the State wrapping.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/log/logger.js';
import { RadiusClient } from '../../src/primary/radius-client.js';
import { MemoryAuthEvents } from '../../src/proxy/auth-events.js';
import { AutoServer } from '../../src/proxy/auto-server.js';
import { ChallengeStore } from '../../src/proxy/challenge-store.js';
import type { ChallengeData, SectionPolicy } from '../../src/proxy/context.js';
import { encodeAccessRequest, textAttribute } from '../../src/radius/access-request.js';
import { verifyMessageAuthenticator } from '../../src/radius/authenticator.js';
import { Attr, attributeValues, firstValue, resolveAttribute, vendorAttribute } from '../../src/radius/dictionary.js';
import { decryptSalted, encryptSalted, MICROSOFT_VENDOR_ID, MS_MPPE_RECV_KEY, MS_MPPE_SEND_KEY } from '../../src/radius/mppe.js';
import { isMalformed, parsePacket, type ParsedPacket } from '../../src/radius/packet.js';
import { buildRequest } from '../../src/radius/request.js';
import type { Outcome, RadiusAttribute, RadiusRequest } from '../../src/radius/types.js';
import { CALLING_STATION_ID, FakeDuo, FakePrimary } from '../fakes/seams.js';
import { FakeUpstream, signedReply } from '../support/fake-upstream.js';

const UPSTREAM_SECRET = Buffer.from('upstream-secret');
const NAS_SECRET = Buffer.from('nas-secret');
const NO_ABORT = new AbortController().signal;
const EAP_RESPONSE = Buffer.from([2, 7, 0, 10, 1, 0x61, 0x6c, 0x69, 0x63, 0x65]); // EAP-Response/Identity "alice"
const SEND_KEY = Buffer.alloc(32, 0x5a);
const RECV_KEY = Buffer.alloc(32, 0xa5);

let upstream: FakeUpstream;
const open: RadiusClient[] = [];

beforeAll(async () => {
  upstream = await FakeUpstream.open();
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  upstream.responder = undefined;
  upstream.received.length = 0;
});
afterAll(async () => {
  await upstream.close();
});

const policy: SectionPolicy = {
  name: 'radius_server_auto', ikey: 'DIXXXXXXXXXXXXXXXXXX', failmode: 'safe', factors: ['auto', 'passcode'], allowConcat: false,
  concat: { delimiter: ',', delimitedPasswordLength: 0 }, exemptUsernames: [], clientIpAttr: CALLING_STATION_ID,
  passThroughAll: false, passThroughAttrs: [], primaryOnly: false,
};

async function setup(opts: { retries?: number; retryWaitMs?: number } = {}) {
  const { log, sink } = memoryLogger();
  const client = new RadiusClient({ name: 'radius_client', hosts: [upstream.address], secret: UPSTREAM_SECRET, nasIp: '10.1.2.3', retries: opts.retries ?? 0, retryWaitMs: opts.retryWaitMs ?? 3000, log });
  await client.start();
  open.push(client);
  const duo = new FakeDuo();
  const events = new MemoryAuthEvents();
  const server = new AutoServer({ policy, primary: client, duo, log, events, challenges: new ChallengeStore<ChallengeData>() });
  return { client, duo, events, server, sink };
}

/** A NAS Access-Request as the server core hands it over (real encoding, parsing and building). */
function nasRequest(extra: RadiusAttribute[], o: { source?: string; password?: string; messageAuthenticator?: boolean } = {}): RadiusRequest {
  const raw = encodeAccessRequest({
    identifier: 42,
    secret: NAS_SECRET,
    attributes: [textAttribute(Attr.UserName, 'alice'), { type: Attr.EapMessage, value: EAP_RESPONSE }, ...extra],
    password: o.password === undefined ? undefined : Buffer.from(o.password),
    messageAuthenticator: o.messageAuthenticator ?? true,
  });
  const p = parsePacket(raw) as ParsedPacket;
  return buildRequest(raw, p, { address: o.source ?? '10.0.0.5', port: 50000 }, 'radius_server_auto', { network: '10.0.0.0/8', secret: NAS_SECRET }, { state: 'absent' });
}

function sent(i = 0): ParsedPacket {
  const p = parsePacket(upstream.received[i]!.data);
  if (isMalformed(p)) throw new Error(p.reason);
  return p;
}

const reply = (code: number, attributes: RadiusAttribute[] = []) => (req: Buffer) => [signedReply(req, { code, attributes, secret: UPSTREAM_SECRET })];
const mppe = (type: number, key: Buffer, req: Buffer, salt: number) =>
  vendorAttribute(MICROSOFT_VENDOR_ID, type, encryptSalted(key, { secret: UPSTREAM_SECRET, authenticator: req.subarray(4, 20) }, Buffer.from([salt, 1])));
const msg = (o: Outcome) => ('replyMessage' in o ? o.replyMessage : undefined);
const attrsOf = (o: Outcome) => ('attributes' in o ? (o.attributes ?? []) : []);

describe('UpstreamClient.relay: the packet that goes upstream (spec §3.3)', () => {
  it('same authenticator and attributes in order, a pool Identifier, Message-Authenticator recomputed in place, User-Password untouched', async () => {
    const { client } = await setup();
    upstream.responder = reply(3);
    const proxyState = { type: Attr.ProxyState, value: Buffer.from('nas-ps') };
    const state = { type: Attr.State, value: Buffer.from('st') };
    const req = nasRequest([state, proxyState], { password: 'garbage' });
    const r = await client.relay(req, undefined, NO_ABORT);
    expect(r).toMatchObject({ status: 'reply', code: 3 });
    const out = upstream.received[0]!.data;
    const p = sent();
    expect(p.authenticator.equals(req.authenticator)).toBe(true);
    expect(p.attributes.map((a) => a.type)).toEqual(req.attributes.map((a) => a.type));
    const differing = p.attributes.filter((a, i) => !a.value.equals(req.attributes[i]!.value)).map((a) => a.type);
    expect(differing).toEqual([Attr.MessageAuthenticator]);
    expect(verifyMessageAuthenticator(out, p.messageAuthenticatorOffset, UPSTREAM_SECRET)).toBe(true);
    expect(firstValue(p.attributes, Attr.UserPassword)!.equals(firstValue(req.attributes, Attr.UserPassword)!)).toBe(true);
    expect(out.length).toBe(req.raw.length);
  });

  it('adds Message-Authenticator first when the NAS sent none (RFC 3579 §3.3), replaces State by the upstream\'s, retries with identical bytes', async () => {
    const { client } = await setup({ retries: 1, retryWaitMs: 150 });
    let n = 0;
    upstream.responder = (req) => (++n === 2 ? reply(11, [{ type: Attr.State, value: Buffer.from('up2') }])(req) : undefined);
    const req = nasRequest([{ type: Attr.State, value: Buffer.from('ours') }], { messageAuthenticator: false });
    const r = await client.relay(req, Buffer.from('up1'), NO_ABORT);
    expect(r).toMatchObject({ status: 'reply', code: 11 });
    const p = sent();
    expect(p.attributes[0]!.type).toBe(Attr.MessageAuthenticator);
    expect(verifyMessageAuthenticator(upstream.received[0]!.data, 22, UPSTREAM_SECRET)).toBe(true);
    expect(firstValue(p.attributes, Attr.State)?.toString()).toBe('up1');
    expect(upstream.received[1]!.data.equals(upstream.received[0]!.data)).toBe(true);
  });
});

describe('[radius_server_auto] E: EAP relay branches (spec §5.4 E)', () => {
  it('Access-Challenge → relayed with our State; the next round goes upstream with the upstream State', async () => {
    const t = await setup();
    const eapRequest = { type: Attr.EapMessage, value: Buffer.from([1, 8, 0, 6, 25, 0x20]) };
    upstream.responder = reply(11, [eapRequest, { type: Attr.State, value: Buffer.from('upstream-state-1') }, textAttribute(Attr.ReplyMessage, 'go on')]);
    const o1 = await t.server.handle(nasRequest([]), NO_ABORT);
    expect(o1.kind).toBe('challenge');
    const ours = (o1 as Extract<Outcome, { kind: 'challenge' }>).state;
    expect(ours.toString()).toMatch(/^[A-Za-z0-9+/]{44}$/);
    expect(attrsOf(o1)).toEqual([eapRequest, textAttribute(Attr.ReplyMessage, 'go on')]);
    expect(msg(o1)).toBeUndefined();
    upstream.responder = reply(3, [{ type: Attr.EapMessage, value: Buffer.from([4, 8, 0, 4]) }]);
    await t.server.handle(nasRequest([{ type: Attr.State, value: ours }]), NO_ABORT);
    expect(firstValue(sent(1).attributes, Attr.State)?.toString()).toBe('upstream-state-1');
    // One use only, and bound to the NAS's address.
    const again = await t.server.handle(nasRequest([{ type: Attr.State, value: ours }]), NO_ABORT);
    expect(msg(again)).toBe('Unknown Challenge');
    expect(upstream.received).toHaveLength(2);
  });

  it('our State presented from another NAS address → Unknown Challenge, nothing relayed', async () => {
    const t = await setup();
    upstream.responder = reply(11, [{ type: Attr.State, value: Buffer.from('s') }]);
    const o = (await t.server.handle(nasRequest([]), NO_ABORT)) as Extract<Outcome, { kind: 'challenge' }>;
    const r = await t.server.handle(nasRequest([{ type: Attr.State, value: o.state }], { source: '10.0.0.99' }), NO_ABORT);
    expect(msg(r)).toBe('Unknown Challenge');
    expect(upstream.received).toHaveLength(1);
  });

  it('Access-Challenge without State, or another code → "Unexpected packet in primary authentication"', async () => {
    const t = await setup();
    for (const code of [11, 5]) {
      upstream.responder = reply(code);
      const o = await t.server.handle(nasRequest([]), NO_ABORT);
      expect([o.kind, msg(o)]).toEqual(['reject', 'Unexpected packet in primary authentication']);
    }
    expect(t.events.events.map((e) => [e.status, e.msg])).toEqual([
      ['Error', 'Unexpected packet in primary authentication'],
      ['Error', 'Unexpected packet in primary authentication'],
    ]);
  });

  it('Access-Reject → the upstream\'s reject relayed (Reply-Message, EAP-Failure), no Duo call', async () => {
    const t = await setup();
    const failure = { type: Attr.EapMessage, value: Buffer.from([4, 9, 0, 4]) };
    upstream.responder = reply(3, [failure, textAttribute(Attr.ReplyMessage, 'bad password')]);
    const o = await t.server.handle(nasRequest([]), NO_ABORT);
    expect(o).toEqual({ kind: 'reject', replyMessage: undefined, attributes: [failure, textAttribute(Attr.ReplyMessage, 'bad password')] });
    expect(t.duo.preauthCalls).toHaveLength(0);
    expect(t.events.events.map((e) => e.msg)).toEqual(['Primary credentials rejected - bad password']);
  });

  it('Access-Accept → Duo; Accept with every upstream attribute, MPPE keys re-encrypted for the NAS request', async () => {
    const t = await setup();
    const success = { type: Attr.EapMessage, value: Buffer.from([3, 9, 0, 4]) };
    const filter = textAttribute(11, 'staff');
    upstream.responder = (req) => reply(2, [success, filter, mppe(MS_MPPE_RECV_KEY, RECV_KEY, req, 0x81), mppe(MS_MPPE_SEND_KEY, SEND_KEY, req, 0x82)])(req);
    const req = nasRequest([{ type: Attr.ProxyState, value: Buffer.from('ps') }]);
    const o = await t.server.handle(req, NO_ABORT);
    expect([o.kind, msg(o)]).toEqual(['accept', 'Success. Logging you in...']);
    const attrs = attrsOf(o);
    expect(attrs.slice(0, 2)).toEqual([success, filter]);
    expect(attrs.some((a) => a.type === Attr.MessageAuthenticator || a.type === Attr.ProxyState)).toBe(false);
    const nas = { secret: NAS_SECRET, authenticator: req.authenticator };
    const key = (name: string) => decryptSalted(attributeValues(attrs, resolveAttribute(name)!)[0]!, nas);
    expect(key('MS-MPPE-Send-Key')).toMatchObject({ ok: true, data: SEND_KEY });
    expect(key('MS-MPPE-Recv-Key')).toMatchObject({ ok: true, data: RECV_KEY });
    expect(t.duo.authCalls.map((c) => c.factor)).toEqual(['push1']);
    expect(t.events.events.map((e) => e.msg)).toEqual(['Primary authentication successful - No reply message in packet', 'Success. Logging you in...']);
  });

  it('Duo denies after the upstream accepted → Reject with an EAP-Failure carrying the EAP-Success\'s Identifier, no keys', async () => {
    const t = await setup();
    t.duo.authAnswer = { result: 'deny', status: 'Login request denied.' };
    upstream.responder = (req) => reply(2, [{ type: Attr.EapMessage, value: Buffer.from([3, 77, 0, 4]) }, mppe(MS_MPPE_SEND_KEY, SEND_KEY, req, 0x81)])(req);
    const o = await t.server.handle(nasRequest([]), NO_ABORT);
    expect(o).toEqual({ kind: 'reject', replyMessage: 'Login request denied.', attributes: [{ type: Attr.EapMessage, value: Buffer.from([4, 77, 0, 4]) }] });
  });

  it('factor selection yields passcode → the word "passcode" goes to Duo, never an Enter passcode: challenge', async () => {
    const t = await setup();
    t.duo.preauthAnswer = { result: 'auth', status: 'Account is active', prompt: 'menu', factors: {} };
    upstream.responder = reply(2, [{ type: Attr.EapMessage, value: Buffer.from([3, 1, 0, 4]) }]);
    const o = await t.server.handle(nasRequest([]), NO_ABORT);
    expect(o.kind).toBe('accept');
    expect(t.duo.authCalls.map((c) => c.factor)).toEqual(['passcode']);
  });

  it('an MPPE key that does not decrypt with the upstream secret is left out and logged, without key bytes', async () => {
    const t = await setup();
    const broken = vendorAttribute(MICROSOFT_VENDOR_ID, MS_MPPE_SEND_KEY, Buffer.alloc(21, 0x99));
    upstream.responder = reply(2, [{ type: Attr.EapMessage, value: Buffer.from([3, 1, 0, 4]) }, broken]);
    const o = await t.server.handle(nasRequest([]), NO_ABORT);
    expect(attrsOf(o).some((a) => a.type === Attr.VendorSpecific)).toBe(false);
    const line = t.sink.lines.find((l) => l.includes('left out'));
    expect(line).toContain('MS-MPPE-Send-Key: encrypted part is 19 octets (not a multiple of 16)');
    expect(line).not.toContain('9999');
  });

  it('upstream silent → "Error performing primary authentication: RADIUS auth request timed out"', async () => {
    const t = await setup({ retries: 1, retryWaitMs: 100 });
    const o = await t.server.handle(nasRequest([]), NO_ABORT);
    expect([o.kind, msg(o)]).toEqual(['reject', 'Error performing primary authentication: RADIUS auth request timed out']);
    expect(upstream.received).toHaveLength(2);
    expect(t.events.events.map((e) => [e.auth_stage, e.status])).toEqual([['Primary authentication', 'Error']]);
  });

  it('a client that cannot proxy (ad_client) → Duo\'s configuration reject, two spaces included', async () => {
    const { log } = memoryLogger();
    const events = new MemoryAuthEvents();
    const server = new AutoServer({ policy, primary: new FakePrimary([]), duo: new FakeDuo(), log, events, challenges: new ChallengeStore<ChallengeData>() });
    const o = await server.handle(nasRequest([]), NO_ABORT);
    expect(msg(o)).toBe('A client which cannot proxy radius requests has been configured.  Check the proxy configuration');
    expect(events.events.map((e) => [e.auth_stage, e.status])).toEqual([['Primary authentication', 'Error']]);
  });
});
