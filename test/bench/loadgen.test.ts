import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad, socketCount } from '../../bench/loadgen.js';
import { percentile, summarize } from '../../bench/stats.js';
import { memoryLogger } from '../../src/log/logger.js';
import { RadiusServer } from '../../src/radius/server.js';
import type { Outcome, RadiusHandler, RadiusRequest } from '../../src/radius/types.js';

const SECRET = 'loadgen-test';

/** Accepts `alice`, rejects `bob`, never answers `mute`; `slow` answers after 300 ms. */
class Handler implements RadiusHandler {
  calls = 0;
  async handle(r: RadiusRequest): Promise<Outcome> {
    this.calls++;
    if (r.userName === 'slow') await new Promise((res) => setTimeout(res, 300));
    if (r.userName === 'mute') return { kind: 'drop', reason: 'test' };
    return { kind: r.userName === 'bob' ? 'reject' : 'accept' };
  }
}

describe('runLoad against a real RadiusServer on loopback', () => {
  const handler = new Handler();
  let server: RadiusServer;
  let port: number;
  beforeAll(async () => {
    server = new RadiusServer({
      address: '127.0.0.1', port: 0, log: memoryLogger().log,
      sections: [{ name: 's', clients: [{ network: '127.0.0.1', secret: SECRET }], handler, requireMessageAuthenticator: true, limitProxyState: true, pwCodec: 'utf-8' }],
    });
    ({ port } = await server.start());
  });
  afterAll(() => server.close());

  it('keeps C in flight over several sockets and counts accepts and rejects', async () => {
    handler.calls = 0;
    const logins = [{ user: 'alice', password: 'pw' }, { user: 'bob', password: 'pw' }];
    const r = await runLoad({ host: '127.0.0.1', port, secret: SECRET, logins, concurrency: 300, total: 2000, timeoutMs: 5000 });
    expect([r.requests, r.accepted, r.rejected, r.lost, r.strays]).toEqual([2000, 1000, 1000, 0, 0]);
    expect(handler.calls).toBe(2000);
    expect(r.latency.max).toBeGreaterThanOrEqual(r.latency.p50);
  });

  it('retransmits identical bytes NAS-like; the server absorbs them; unanswered logins are lost', async () => {
    handler.calls = 0;
    const slow = await runLoad({ host: '127.0.0.1', port, secret: SECRET, logins: [{ user: 'slow', password: 'pw' }], concurrency: 10, total: 10, timeoutMs: 2000, retransmitMs: 100 });
    expect([slow.accepted, slow.lost]).toEqual([10, 0]);
    expect(slow.retransmissions).toBeGreaterThanOrEqual(10);
    expect(handler.calls).toBe(10);
    const mute = await runLoad({ host: '127.0.0.1', port, secret: SECRET, logins: [{ user: 'mute', password: 'pw' }], concurrency: 2, total: 2, timeoutMs: 200 });
    expect([mute.accepted, mute.lost]).toEqual([0, 2]);
  });

  it('uses 256 Identifiers per socket and at least min(4, C) sockets', () => {
    expect([socketCount(1), socketCount(64), socketCount(512), socketCount(10_000)]).toEqual([1, 4, 4, 40]);
  });
});

describe('stats', () => {
  it('nearest-rank percentiles', () => {
    const s = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(s, 50), percentile(s, 90), percentile(s, 99), percentile(s, 100)]).toEqual([50, 90, 99, 100]);
    expect(summarize([3, 1, 2])).toMatchObject({ p50: 2, max: 3, mean: 2 });
    expect(summarize([])).toMatchObject({ p50: 0, max: 0 });
  });
});
