import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors.js';
import { memoryLogger } from '../../src/log/logger.js';
import { textAttribute } from '../../src/radius/access-request.js';
import { verifyMessageAuthenticator } from '../../src/radius/authenticator.js';
import { Attr, firstValue } from '../../src/radius/dictionary.js';
import { IdentifierPool } from '../../src/radius/identifier-pool.js';
import { isMalformed, parsePacket } from '../../src/radius/packet.js';
import { decryptUserPassword } from '../../src/radius/password.js';
import { UpstreamClient, type UpstreamOptions } from '../../src/radius/upstream.js';
import { FakeUpstream, signedReply } from '../support/fake-upstream.js';

const SECRET = Buffer.from('upstream-secret');
const user = (name: string) => [textAttribute(Attr.UserName, name)];
const accept = (req: Buffer) => [signedReply(req, { code: 2, secret: SECRET, attributes: [textAttribute(Attr.ReplyMessage, 'ok')] })];

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('IdentifierPool', () => {
  it('hands out each of the 256 Identifiers once, in a shuffled order', async () => {
    const pool = new IdentifierPool();
    const ids: number[] = [];
    for (let i = 0; i < 256; i++) ids.push(await pool.acquire());
    expect([...ids].sort((a, b) => a - b)).toEqual([...Array(256).keys()]);
    expect(ids).not.toEqual([...Array(256).keys()]);
    expect(pool.inUse).toBe(256);
  });

  it('queues callers FIFO when exhausted, then fails fast beyond the queue bound', async () => {
    const pool = new IdentifierPool(2);
    for (let i = 0; i < 256; i++) await pool.acquire();
    const first = pool.acquire();
    const second = pool.acquire();
    const third = await rejection(pool.acquire());
    expect(hasCode(third, 'AP_ERR_RADIUS_BUSY')).toBe(true);
    pool.release(42);
    pool.release(7);
    expect(await first).toBe(42);
    expect(await second).toBe(7);
  });

  it('removes an aborted waiter from the queue', async () => {
    const pool = new IdentifierPool();
    for (let i = 0; i < 256; i++) await pool.acquire();
    const ac = new AbortController();
    const waiting = rejection(pool.acquire(ac.signal));
    expect(pool.waiting).toBe(1);
    ac.abort();
    expect(hasCode(await waiting, 'AP_ERR_RADIUS_CANCELLED')).toBe(true);
    expect(pool.waiting).toBe(0);
  });
});

describe('UpstreamClient source sockets (burst beyond 256 in flight)', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await FakeUpstream.open();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('opens another socket instead of queueing: 1,000 concurrent exchanges all answered from 4 source ports', async () => {
    const { log, sink } = memoryLogger();
    fake.responder = (req) => [signedReply(req, { code: 2, secret: SECRET })];
    // Retransmissions cover datagrams a small kernel receive buffer (net.core.rmem_max) might drop.
    const c = new UpstreamClient({ hosts: [fake.address], secret: SECRET, retries: 5, retryWaitMs: 500, log });
    await c.start();
    try {
      const settled = await Promise.allSettled(Array.from({ length: 1000 }, (_, i) => c.exchange({ attributes: user(`u${i}`) })));
      const failed = settled.filter((r) => r.status === 'rejected');
      expect(failed.length, `${failed.length} failed, e.g. ${failed[0] && String((failed[0] as PromiseRejectedResult).reason)}; fake received ${fake.received.length}; ${sink.texts().filter((t) => !t.startsWith('Sending') && !t.startsWith('Got')).slice(0, 3).join(' | ')}`).toBe(0);
      expect(c.sockets).toBe(4);
      expect(new Set(fake.received.map((r) => r.from.port)).size).toBeGreaterThanOrEqual(4);
      expect(c.inFlight).toBe(0);
    } finally {
      await c.close();
    }
  });

  it('stops at maxSockets, then queues', async () => {
    const { log } = memoryLogger();
    fake.responder = () => [];
    const c = new UpstreamClient({ hosts: [fake.address], secret: SECRET, retries: 0, retryWaitMs: 10_000, log, maxSockets: 2 });
    await c.start();
    const all = Array.from({ length: 600 }, (_, i) => rejection(c.exchange({ attributes: user(`w${i}`) })));
    await new Promise((r) => setTimeout(r, 200));
    expect([c.sockets, c.inFlight, c.waiting]).toEqual([2, 512, 88]);
    await c.close();
    const errors = await Promise.all(all);
    expect(errors.every((e) => hasCode(e, 'AP_ERR_RADIUS_CANCELLED'))).toBe(true);
  });
});

describe('UpstreamClient over real UDP', () => {
  let fake: FakeUpstream;
  const clients: UpstreamClient[] = [];

  async function client(extra: Partial<UpstreamOptions> = {}) {
    const { log, sink } = memoryLogger();
    const c = new UpstreamClient({ hosts: [fake.address], secret: SECRET, retries: 0, retryWaitMs: 10_000, log, ...extra });
    await c.start();
    clients.push(c);
    return { c, sink };
  }

  beforeAll(async () => {
    fake = await FakeUpstream.open();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    fake.responder = undefined;
    fake.received.length = 0;
  });
  afterAll(async () => {
    await fake.close();
  });

  it('sends a new Access-Request with Message-Authenticator first and the password hidden with the upstream secret', async () => {
    fake.responder = accept;
    const { c, sink } = await client();
    const before = timers();
    const reply = await c.exchange({ attributes: user('alice'), password: Buffer.from('pw') });
    expect(reply.code).toBe(2);
    expect(firstValue(reply.attributes, Attr.ReplyMessage)?.toString()).toBe('ok');
    expect(reply.from).toEqual(fake.address);
    const sent = fake.received[0]!.data;
    const parsed = parsePacket(sent);
    if (isMalformed(parsed)) throw new Error(parsed.reason);
    expect(parsed.attributes[0]!.type).toBe(Attr.MessageAuthenticator);
    expect(verifyMessageAuthenticator(sent, 22, SECRET)).toBe(true);
    expect(decryptUserPassword(firstValue(parsed.attributes, Attr.UserPassword)!, SECRET, parsed.authenticator)?.toString()).toBe('pw');
    expect(sink.texts()).toContain(`Sending request for user 'alice' to ('127.0.0.1', ${fake.port}) with id ${reply.identifier}`);
    expect(sink.texts()).toContain(`Got response for id ${reply.identifier} from ('127.0.0.1', ${fake.port}); code 2`);
    expect(timers()).toBe(before);
    expect(c.inFlight).toBe(0);
  });

  it('uses a fresh Request Authenticator for every exchange', async () => {
    fake.responder = accept;
    const { c } = await client();
    await c.exchange({ attributes: user('a') });
    await c.exchange({ attributes: user('a') });
    expect(fake.received[0]!.data.subarray(4, 20).equals(fake.received[1]!.data.subarray(4, 20))).toBe(false);
  });

  it('ignores replies with an unknown id, a bad Message-Authenticator or a foreign Proxy-State, and keeps waiting', async () => {
    fake.responder = (req) => [
      signedReply(req, { code: 2, secret: SECRET, identifier: (req[1]! + 1) % 256 }),
      signedReply(req, { code: 2, secret: SECRET, badMessageAuthenticator: true }),
      signedReply(req, { code: 2, secret: SECRET, attributes: [{ type: Attr.ProxyState, value: Buffer.from('x') }] }),
      signedReply(req, { code: 3, secret: SECRET }),
    ];
    const { c, sink } = await client();
    const reply = await c.exchange({ attributes: user('bob') });
    expect(reply.code).toBe(3);
    const drops = sink.texts().filter((t) => t.startsWith(`dropping packet from 127.0.0.1:${fake.port} - `));
    expect(drops).toEqual([
      `dropping packet from 127.0.0.1:${fake.port} - response id ${(reply.identifier + 1) % 256} does not match an outstanding request`,
      `dropping packet from 127.0.0.1:${fake.port} - invalid Message-Authenticator`,
      `dropping packet from 127.0.0.1:${fake.port} - response contains a Proxy-State that was not sent`,
    ]);
  });

  it('accepts echoed Proxy-State that it did send', async () => {
    fake.responder = (req) => [signedReply(req, { code: 2, secret: SECRET, attributes: [{ type: Attr.ProxyState, value: Buffer.from('mine') }] })];
    const { c } = await client();
    const reply = await c.exchange({ attributes: [...user('p'), { type: Attr.ProxyState, value: Buffer.from('mine') }] });
    expect(reply.code).toBe(2);
  });

  it('with one source socket: queues the 257th concurrent exchange until an Identifier is free, and fails fast beyond 256 waiters', async () => {
    const { c } = await client({ maxSockets: 1 });
    const first = Array.from({ length: 256 }, () => rejection(c.exchange({ attributes: user('q') })));
    await fake.waitFor(256);
    expect(c.inFlight).toBe(256);
    const queued = c.exchange({ attributes: user('late') });
    const overflow = Array.from({ length: 255 }, () => rejection(c.exchange({ attributes: user('w') })));
    const busy = await rejection(c.exchange({ attributes: user('too-many') }));
    expect(hasCode(busy, 'AP_ERR_RADIUS_BUSY')).toBe(true);
    expect(c.waiting).toBe(256);
    // answer one outstanding request: its Identifier goes to the oldest waiter
    fake.responder = accept;
    const answered = fake.received[0]!.data;
    fake.send(accept(answered)[0]!, { address: '127.0.0.1', port: c.localPort! });
    const late = await queued;
    expect(late.code).toBe(2);
    expect(late.identifier).toBe(answered[1]);
    await c.close();
    const errors = await Promise.all([...first, ...overflow]);
    expect(errors.filter((e) => e === undefined)).toHaveLength(1);
    expect(errors.filter((e) => hasCode(e, 'AP_ERR_RADIUS_CANCELLED'))).toHaveLength(255 + 255);
  });

  it('abort: a pending exchange rejects with AP_ERR_RADIUS_CANCELLED and frees its Identifier and timer', async () => {
    const { c } = await client();
    const before = timers();
    const ac = new AbortController();
    const pending = rejection(c.exchange({ attributes: user('a') }, ac.signal));
    await fake.waitFor(1);
    expect(c.inFlight).toBe(1);
    expect(timers()).toBe(before + 1); // the one retry timer of this exchange
    ac.abort();
    expect(hasCode(await pending, 'AP_ERR_RADIUS_CANCELLED')).toBe(true);
    expect(c.inFlight).toBe(0);
    expect(timers()).toBe(before);
  });

  it('abort: an already aborted signal sends nothing', async () => {
    const { c } = await client();
    const ac = new AbortController();
    ac.abort();
    expect(hasCode(await rejection(c.exchange({ attributes: user('a') }, ac.signal)), 'AP_ERR_RADIUS_CANCELLED')).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.received).toHaveLength(0);
  });

  it('close: pending exchanges fail, later ones are refused, a late reply is harmless', async () => {
    const { c } = await client();
    const before = timers();
    const pending = rejection(c.exchange({ attributes: user('a') }));
    await fake.waitFor(1);
    await c.close();
    const err = await pending;
    expect(hasCode(err, 'AP_ERR_RADIUS_CANCELLED')).toBe(true);
    expect((err as Error).message).toBe('RADIUS client closed');
    expect(hasCode(await rejection(c.exchange({ attributes: user('b') })), 'AP_ERR_RADIUS_CANCELLED')).toBe(true);
    expect(timers()).toBe(before);
    await c.close(); // idempotent
  });

  it('times out after retries+1 transmissions with AP_ERR_RADIUS_TIMEOUT and Duo\'s log line', async () => {
    const { c, sink } = await client({ retries: 1, retryWaitMs: 100 });
    const err = await rejection(c.exchange({ attributes: user('slow') }));
    expect(hasCode(err, 'AP_ERR_RADIUS_TIMEOUT')).toBe(true);
    expect((err as Error).message).toBe('RADIUS auth request timed out');
    expect(fake.received).toHaveLength(2);
    const id = fake.received[0]!.data[1];
    expect(sink.texts()).toContain(`Request timeout for (outgoing) id ${id} to ('127.0.0.1', ${fake.port})`);
  });

  it('rejects a configuration without hosts or with a host name', () => {
    const { log } = memoryLogger();
    expect(() => new UpstreamClient({ hosts: [], secret: SECRET, log })).toThrow(/at least one host/);
    expect(() => new UpstreamClient({ hosts: [{ host: 'radius.example.com', port: 1812 }], secret: SECRET, log })).toThrow(/not an IP address/);
    expect(() => new UpstreamClient({ hosts: [{ host: '10.0.0.1', port: 0 }], secret: SECRET, log })).toThrow(/not a port number/);
    expect(() => new UpstreamClient({ hosts: [{ host: '10.0.0.1', port: 1812 }], secret: SECRET, log, retries: -1 })).toThrow(/retries/);
    expect(() => new UpstreamClient({ hosts: [{ host: '10.0.0.1', port: 1812 }], secret: SECRET, log, retryWaitMs: 0 })).toThrow(/retry_wait/);
  });
});
