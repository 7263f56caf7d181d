/**
 * Issue 3's done-when over real UDP: 10,000 random and mutated datagrams leave the server running
 * (no crash, no unhandled rejection) and a valid login still works; IPv6 listeners work too.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReply } from '../../src/radius/access-request.js';
import { RadiusServer } from '../../src/radius/server.js';
import type { Outcome, RadiusHandler } from '../../src/radius/types.js';
import { memoryLogger } from '../../src/log/logger.js';
import { TestNas, papRequest } from '../support/udp-client.js';

const SECRET = 'robust';
const handler: RadiusHandler = {
  async handle(req): Promise<Outcome> {
    return req.password.state === 'ok' && req.password.value === 'pw' ? { kind: 'accept', replyMessage: 'ok' } : { kind: 'reject' };
  },
};

function mutate(seed: Buffer): Buffer {
  const b = Buffer.from(seed);
  const n = 1 + Math.floor(Math.random() * 4);
  for (let i = 0; i < n; i++) b[Math.floor(Math.random() * b.length)] = Math.floor(Math.random() * 256);
  if (Math.random() < 0.5) b.writeUInt16BE(b.length, 2); // keep the length consistent half the time
  return Math.random() < 0.1 ? b.subarray(0, Math.floor(Math.random() * b.length)) : b;
}

describe('robustness over real UDP', () => {
  const { log, sink } = memoryLogger();
  let server: RadiusServer;
  let port: number;
  let nas: TestNas;
  const rejections: unknown[] = [];
  const onRejection = (e: unknown): void => void rejections.push(e);

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    server = new RadiusServer({ address: '127.0.0.1', port: 0, log, sections: [{ name: 'radius_server_auto', clients: [{ network: '127.0.0.1', secret: SECRET }], handler, requireMessageAuthenticator: false, limitProxyState: false, pwCodec: 'utf-8' }] });
    port = (await server.start()).port;
    nas = await TestNas.open();
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await nas.close();
    await server.close();
  });

  it('10,000 random and mutated datagrams, then a valid login is answered', async () => {
    const seed = papRequest({ user: 'alice', password: 'pw', secret: SECRET, identifier: 1 });
    for (let i = 0; i < 10_000; i++) {
      const d = i % 2 === 0 ? randomBytes(Math.floor(Math.random() * 300)) : mutate(seed);
      nas.send(d, port);
      if (i % 500 === 0) await new Promise((r) => setImmediate(r)); // let the kernel drain
    }
    await new Promise((r) => setTimeout(r, 300));
    nas.replies.length = 0;
    const req = papRequest({ user: 'alice', password: 'pw', secret: SECRET, identifier: 77 });
    nas.send(req, port);
    let reply = await nas.next(2000);
    while (reply && reply[1] !== 77) reply = await nas.next(2000); // skip answers to mutants that happened to be valid
    expect(reply).toBeDefined();
    const r = checkReply(reply!, { identifier: 77, authenticator: req.subarray(4, 20) }, Buffer.from(SECRET), true);
    expect(r.ok && r.packet.code).toBe(2);
    expect(server.stats.received).toBeGreaterThan(9000);
    expect([...server.stats.drops.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(5000);
    expect(server.stats.errors).toBe(0);
    expect(rejections).toEqual([]);
    expect(sink.texts().some((t) => t.startsWith('unhandled error'))).toBe(false);
  }, 30_000);
});

describe('IPv6 listener', () => {
  it('answers a NAS on ::1', async () => {
    const { log } = memoryLogger();
    const server = new RadiusServer({ address: '::1', port: 0, log, sections: [{ name: 's', clients: [{ network: '::1', secret: SECRET }], handler, requireMessageAuthenticator: false, limitProxyState: false, pwCodec: 'utf-8' }] });
    const { port } = await server.start();
    const nas = await TestNas.open('::1');
    try {
      const req = papRequest({ user: 'v6', password: 'pw', secret: SECRET, identifier: 3 });
      nas.send(req, port, '::1');
      const reply = await nas.next(2000);
      const r = checkReply(reply!, { identifier: 3, authenticator: req.subarray(4, 20) }, Buffer.from(SECRET), true);
      expect(r.ok && r.packet.code).toBe(2);
    } finally {
      await nas.close();
      await server.close();
    }
  });
});

describe('bind failure', () => {
  it('a port already in use is AP_ERR_RADIUS_BIND naming the address', async () => {
    const { log } = memoryLogger();
    const opts = { address: '127.0.0.1', log, sections: [] };
    const first = new RadiusServer({ ...opts, port: 0 });
    const { port } = await first.start();
    try {
      const second = new RadiusServer({ ...opts, port });
      await expect(second.start()).rejects.toMatchObject({ code: 'AP_ERR_RADIUS_BIND', message: expect.stringMatching(new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${port} \\(UDP\\): .*EADDRINUSE`)) });
      await second.close();
    } finally {
      await first.close();
    }
  });
});

describe('drop logging is rate-limited (security.md: "Log (rate-limited) every drop")', () => {
  it('one line per source and reason per 10 s, every drop still counted, the next line says how many were suppressed', async () => {
    const { log, sink } = memoryLogger();
    let now = 1_000_000;
    const server = new RadiusServer({ address: '127.0.0.1', port: 0, log, now: () => now, sections: [{ name: 's', clients: [{ network: '127.0.0.1', secret: SECRET }], handler, requireMessageAuthenticator: false, limitProxyState: false, pwCodec: 'utf-8' }] });
    const { port } = await server.start();
    const nas = await TestNas.open();
    const drops = () => sink.texts().filter((t) => t.startsWith('dropping packet from'));
    try {
      for (let i = 0; i < 50; i++) nas.send(Buffer.from('garbage'), port);
      await new Promise((r) => setTimeout(r, 200));
      expect(server.stats.drops.get('Packet header is corrupt')).toBe(50);
      expect(drops()).toEqual([`dropping packet from 127.0.0.1:${nas.port} - Packet header is corrupt`]);
      now += 10_001;
      nas.send(Buffer.from('garbage'), port);
      await new Promise((r) => setTimeout(r, 100));
      expect(drops()[1]).toBe(`dropping packet from 127.0.0.1:${nas.port} - Packet header is corrupt (49 more since the last message)`);
    } finally {
      await nas.close();
      await server.close();
    }
  });
});
