/**
 * `[radius_client]` on the wire, against scriptable upstream sockets: what the upstream request
 * holds, the retry/failover schedule, and which replies are believed.
 */
import { isIPv4 } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/log/logger.js';
import { RadiusClient, defaultNasIp, type RadiusClientOptions } from '../../src/primary/radius-client.js';
import { textAttribute } from '../../src/radius/access-request.js';
import { Attr, firstValue, resolveAttribute, vendorAttribute } from '../../src/radius/dictionary.js';
import { decryptUserPassword } from '../../src/radius/password.js';
import type { RadiusAttribute } from '../../src/radius/types.js';
import { FakeUpstream, signedReply } from '../support/fake-upstream.js';
import { NO_ABORT, expectAttributes, parsed, primaryRequest } from './radius-client-fixtures.js';

const SECRET = Buffer.from('upstream-secret');
const text = textAttribute;

/** A vendor attribute by dictionary name. */
function vsa(name: string, value: Buffer | string): RadiusAttribute {
  const ref = resolveAttribute(name)!;
  return vendorAttribute(ref.vendorId!, ref.vendorType!, Buffer.isBuffer(value) ? value : Buffer.from(value));
}

let host: FakeUpstream;
let other: FakeUpstream;
const open: RadiusClient[] = [];

async function client(extra: Partial<RadiusClientOptions> = {}) {
  const { log, sink } = memoryLogger();
  const c = new RadiusClient({ name: 'radius_client', hosts: [host.address], secret: SECRET, nasIp: '10.1.2.3', retries: 0, retryWaitMs: 5000, log, ...extra });
  await c.start();
  open.push(c);
  return { c, sink };
}

beforeAll(async () => {
  host = await FakeUpstream.open();
  other = await FakeUpstream.open();
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  for (const f of [host, other]) {
    f.responder = undefined;
    f.received.length = 0;
  }
});
afterAll(async () => {
  await host.close();
  await other.close();
});

describe('the upstream Access-Request (spec §3.2 step 2, §3.4)', () => {
  it('NAS-IP-Address first, pass-through only if absent (never MA, Proxy-State, User-Password), then User-Name, Calling-Station-Id, State', async () => {
    host.responder = (req) => [signedReply(req, { code: 2, secret: SECRET })];
    const { c } = await client();
    const juniper = vsa('Juniper-Local-User-Name', 'jr');
    const passThrough = [
      { type: Attr.NasIpAddress, value: Buffer.from([9, 9, 9, 9]) },
      { type: Attr.MessageAuthenticator, value: Buffer.alloc(16, 1) },
      { type: Attr.ProxyState, value: Buffer.from('nas-proxy-state') },
      { type: Attr.UserPassword, value: Buffer.alloc(16, 2) },
      text(Attr.UserName, 'someone-else'),
      text(Attr.CallingStationId, '198.51.100.1'),
      text(Attr.Class, 'c1'),
      text(Attr.Class, 'c2'),
      juniper,
    ];
    const state = Buffer.from('upstream-state');
    const r = await c.authenticate(primaryRequest({ user: 'alice', password: 'pw', passThrough, clientIp: '192.0.2.10', upstreamState: state }), NO_ABORT);
    expect(r.status).toBe('accept');
    const sent = parsed(host.received[0]!.data);
    const [ma, ...rest] = sent.attributes;
    expect(ma!.type).toBe(Attr.MessageAuthenticator);
    const password = rest.pop()!;
    expect(password.type).toBe(Attr.UserPassword);
    expect(decryptUserPassword(password.value, SECRET, sent.authenticator)?.toString()).toBe('pw');
    expectAttributes(rest, [
      { type: Attr.NasIpAddress, value: Buffer.from([10, 1, 2, 3]) },
      text(Attr.Class, 'c1'),
      text(Attr.Class, 'c2'),
      juniper,
      text(Attr.UserName, 'alice'),
      text(Attr.CallingStationId, '192.0.2.10'),
      { type: Attr.State, value: state },
    ]);
  });

  it('without a client IP a passed-through Calling-Station-Id stays; an empty one is not sent', async () => {
    host.responder = (req) => [signedReply(req, { code: 3, secret: SECRET })];
    const { c } = await client();
    await c.authenticate(primaryRequest({ user: 'u', password: 'p', passThrough: [text(Attr.CallingStationId, 'aa-bb')] }), NO_ABORT);
    await c.authenticate(primaryRequest({ user: 'u', password: 'p', clientIp: '' }), NO_ABORT);
    expect(firstValue(parsed(host.received[0]!.data).attributes, Attr.CallingStationId)?.toString()).toBe('aa-bb');
    expect(firstValue(parsed(host.received[1]!.data).attributes, Attr.CallingStationId)).toBeUndefined();
  });

  it('MS-CHAPv2: the NAS MS-CHAP attributes go upstream, no User-Password; MS-CHAP response attributes come back', async () => {
    const challenge = vsa('MS-CHAP-Challenge', Buffer.alloc(16, 3));
    const response = vsa('MS-CHAP2-Response', Buffer.alloc(50, 4));
    const success = vsa('MS-CHAP2-Success', 'S=00');
    host.responder = (req) => [signedReply(req, { code: 2, secret: SECRET, attributes: [success, vsa('MS-CHAP-MPPE-Keys', Buffer.alloc(32)), text(Attr.Class, 'x')] })];
    const { c } = await client();
    const r = await c.authenticate(primaryRequest({ user: 'alice', password: undefined, nasAttributes: [challenge, response] }), NO_ABORT);
    const sent = parsed(host.received[0]!.data);
    expect(firstValue(sent.attributes, Attr.UserPassword)).toBeUndefined();
    expectAttributes(sent.attributes.filter((a) => a.type === Attr.VendorSpecific), [challenge, response]);
    expect(r.status).toBe('accept');
    if (r.status === 'accept') expectAttributes(r.attributes, [success]);
  });

  it('MS-CHAP-Error is relayed with a reject', async () => {
    const error = vsa('MS-CHAP-Error', 'E=691 R=0');
    host.responder = (req) => [signedReply(req, { code: 3, secret: SECRET, attributes: [text(Attr.ReplyMessage, 'denied'), error] })];
    const { c } = await client({ passThroughAll: true });
    const r = await c.authenticate(primaryRequest({ user: 'a', password: undefined, nasAttributes: [vsa('MS-CHAP-Challenge', Buffer.alloc(16))] }), NO_ABORT);
    expect(r).toMatchObject({ status: 'reject', message: 'denied' });
    if (r.status === 'reject') expectAttributes(r.attributes, [error]);
  });

  it('pw_codec: latin-1 bytes go upstream; an unencodable or over-long password is rejected without traffic', async () => {
    host.responder = (req) => [signedReply(req, { code: 2, secret: SECRET })];
    const { c } = await client({ pwCodec: 'latin-1' });
    await c.authenticate(primaryRequest({ user: 'a', password: 'pässwörd' }), NO_ABORT);
    const sent = parsed(host.received[0]!.data);
    const bytes = decryptUserPassword(firstValue(sent.attributes, Attr.UserPassword)!, SECRET, sent.authenticator);
    expect(bytes?.equals(Buffer.from('pässwörd', 'latin1'))).toBe(true);
    expect(await c.authenticate(primaryRequest({ user: 'a', password: '✓' }), NO_ABORT)).toEqual({ status: 'reject', message: 'Cannot encode password with pw_codec latin-1', attributes: [] });
    expect(await c.authenticate(primaryRequest({ user: 'a', password: 'x'.repeat(129) }), NO_ABORT)).toMatchObject({ status: 'reject' });
    expect(host.received).toHaveLength(1);
  });

  it('nas_ip: auto = the local address of the route to 8.8.8.8, 127.0.0.1 without a route; IPv6 → NAS-IPv6-Address', async () => {
    const auto = await defaultNasIp();
    expect(isIPv4(auto)).toBe(true);
    expect(await defaultNasIp({ host: '255.255.255.255', port: 53 })).toBe('127.0.0.1');
    host.responder = (req) => [signedReply(req, { code: 2, secret: SECRET })];
    const { log } = memoryLogger();
    const c = new RadiusClient({ name: 'radius_client', hosts: [host.address], secret: SECRET, log });
    await c.start();
    open.push(c);
    expect(c.effectiveNasIp).toBe(auto);
    await c.authenticate(primaryRequest({ user: 'a', password: 'p' }), NO_ABORT);
    expect([...firstValue(parsed(host.received[0]!.data).attributes, Attr.NasIpAddress)!].join('.')).toBe(auto);
    const { c: c6 } = await client({ nasIp: '2001:db8::1' });
    await c6.authenticate(primaryRequest({ user: 'a', password: 'p' }), NO_ABORT);
    expect(firstValue(parsed(host.received[1]!.data).attributes, 95)?.toString('hex')).toBe('20010db8000000000000000000000001');
    const { c: mapped } = await client({ nasIp: '::ffff:10.9.8.7' });
    await mapped.authenticate(primaryRequest({ user: 'a', password: 'p' }), NO_ABORT);
    expect([...firstValue(parsed(host.received[2]!.data).attributes, Attr.NasIpAddress)!].join('.')).toBe('10.9.8.7');
    expect(() => new RadiusClient({ name: 'radius_client', hosts: [host.address], secret: SECRET, log, nasIp: 'not-an-ip' })).toThrow(/nas_ip/);
  });
});

describe('retries, failover and reply checks (spec §3.2 steps 4–5)', () => {
  it('a dead pair of hosts: retries+1 IDENTICAL transmissions A,B,A,B, retry_wait apart, then "RADIUS auth request timed out"', async () => {
    const wait = 200;
    const { c, sink } = await client({ hosts: [host.address, other.address], retries: 3, retryWaitMs: wait });
    const t0 = performance.now();
    const r = await c.authenticate(primaryRequest({ user: 'alice', password: 'pw' }), NO_ABORT);
    const total = performance.now() - t0;
    expect(r).toMatchObject({ status: 'unavailable', message: 'RADIUS auth request timed out' });
    const all = [...host.received.map((x) => ({ ...x, to: 'A' })), ...other.received.map((x) => ({ ...x, to: 'B' }))].sort((a, b) => a.at - b.at);
    expect(all.map((x) => x.to)).toEqual(['A', 'B', 'A', 'B']);
    for (const x of all) expect(x.data.equals(all[0]!.data)).toBe(true);
    for (let i = 1; i < all.length; i++) {
      const gap = all[i]!.at - all[i - 1]!.at;
      expect(gap).toBeGreaterThanOrEqual(wait * 0.9);
      expect(gap).toBeLessThan(wait * 2);
    }
    expect(total).toBeGreaterThanOrEqual(wait * 4 * 0.9);
    const id = all[0]!.data[1];
    expect(sink.texts()).toContain(`Request timeout for (outgoing) id ${id} to ('127.0.0.1', ${other.port})`);
  });

  it('a reply from a wrong source port and one with a bad Response Authenticator are ignored; the good one counts', async () => {
    host.responder = (req, fake, from) => {
      const good = signedReply(req, { code: 2, secret: SECRET, attributes: [text(Attr.ReplyMessage, 'real')] });
      other.send(good, from); // right bytes, wrong (ip, port)
      fake.send(signedReply(req, { code: 2, secret: SECRET, badResponseAuthenticator: true }), from);
      setTimeout(() => fake.send(good, from), 50);
      return undefined;
    };
    const { c, sink } = await client();
    expect(await c.authenticate(primaryRequest({ user: 'a', password: 'p' }), NO_ABORT)).toEqual({ status: 'accept', message: 'real', attributes: [] });
    expect(sink.texts()).toContain(`dropping packet from 127.0.0.1:${other.port} - response from an address that is not a configured upstream server`);
    expect(sink.texts()).toContain(`dropping packet from 127.0.0.1:${host.port} - invalid Response Authenticator`);
  });

  it('require_message_authenticator: a reply without one is dropped, the signed one is accepted', async () => {
    host.responder = (req, fake, from) => {
      fake.send(signedReply(req, { code: 2, secret: SECRET, messageAuthenticator: false, attributes: [text(Attr.ReplyMessage, 'forged?')] }), from);
      setTimeout(() => fake.send(signedReply(req, { code: 3, secret: SECRET }), from), 50);
      return undefined;
    };
    const { c, sink } = await client({ requireMessageAuthenticator: true });
    expect(await c.authenticate(primaryRequest({ user: 'a', password: 'p' }), NO_ABORT)).toMatchObject({ status: 'reject' });
    expect(sink.texts()).toContain(`dropping packet from 127.0.0.1:${host.port} - missing Message-Authenticator`);
  });

  it('without require_message_authenticator a reply without one is believed (Duo default)', async () => {
    host.responder = (req) => [signedReply(req, { code: 2, secret: SECRET, messageAuthenticator: false })];
    const { c } = await client();
    expect((await c.authenticate(primaryRequest({ user: 'a', password: 'p' }), NO_ABORT)).status).toBe('accept');
  });

  it('other reply codes and a Challenge without State are "unavailable" with a clear message', async () => {
    const { c } = await client();
    host.responder = (req) => [signedReply(req, { code: 5, secret: SECRET })];
    expect(await c.authenticate(primaryRequest({ user: 'a', password: 'p' }), NO_ABORT)).toEqual({
      status: 'unavailable',
      message: 'response packet is not Access-Accept or Access-Reject (code 5)',
    });
    host.responder = (req) => [signedReply(req, { code: 11, secret: SECRET })];
    expect(await c.authenticate(primaryRequest({ user: 'a', password: 'p' }), NO_ABORT)).toEqual({
      status: 'unavailable',
      message: 'upstream Access-Challenge has no State attribute',
    });
  });

  it('an aborted login is "unavailable" and frees its Identifier', async () => {
    const { c } = await client();
    const ac = new AbortController();
    const pending = c.authenticate(primaryRequest({ user: 'a', password: 'p' }), ac.signal);
    await host.waitFor(1);
    ac.abort();
    expect(await pending).toMatchObject({ status: 'unavailable', message: 'RADIUS auth request aborted' });
    expect(c.transport.inFlight).toBe(0);
  });
});
