/**
 * Per-NAS admission (src/guard/nas-guard.ts): the token bucket with a fake clock, the pending
 * cap, rate-limited log lines; then through a real RadiusServer on a UDP socket: excess
 * Access-Requests are dropped silently and counted, and a NAS retransmission of a dropped
 * request is processed as new once there is room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/log/logger.js';
import { NAS_DROP, NasGuard } from '../../src/guard/nas-guard.js';
import { GUARD_OFF, type GuardSettings } from '../../src/guard/settings.js';
import { RadiusServer } from '../../src/radius/server.js';
import type { Outcome, RadiusHandler, RadiusRequest } from '../../src/radius/types.js';
import { TestNas, papRequest } from '../support/udp-client.js';
import { FakeClock } from './fake-clock.js';

const settings = (over: Partial<GuardSettings>): GuardSettings => ({ ...GUARD_OFF, ...over });

function nasGuard(over: Partial<GuardSettings>) {
  const clock = new FakeClock();
  const { log, sink } = memoryLogger();
  return { g: new NasGuard(settings(over), clock, log), clock, sink };
}

describe('nas_rate_limit token bucket', () => {
  it('admits a burst of nas_rate_limit, then refills at nas_rate_limit per second', async () => {
    const { g, clock } = nasGuard({ nasRateLimit: 5 });
    const admitted = () => {
      const r = g.admit('10.0.0.1');
      if (r === undefined) g.release('10.0.0.1');
      return r === undefined;
    };
    expect(Array.from({ length: 7 }, admitted)).toEqual([true, true, true, true, true, false, false]);
    await clock.advance(200); // one token
    expect([admitted(), admitted()]).toEqual([true, false]);
    await clock.advance(10_000); // refills to the bucket size, not beyond
    expect(Array.from({ length: 6 }, admitted).filter(Boolean)).toHaveLength(5);
    expect(g.counters.rateDrops).toBe(4);
  });

  it('nas_rate_burst sets the bucket size; NAS addresses have separate buckets', () => {
    const { g } = nasGuard({ nasRateLimit: 1, nasRateBurst: 3 });
    const results = Array.from({ length: 4 }, () => g.admit('10.0.0.1'));
    expect(results).toEqual([undefined, undefined, undefined, NAS_DROP.rate]);
    expect(g.admit('10.0.0.2')).toBeUndefined();
  });

  it('logs the first drop at once, then at most one line per 10 s with the number suppressed', async () => {
    const { g, clock, sink } = nasGuard({ nasRateLimit: 1 });
    for (let i = 0; i < 50; i++) g.admit('10.0.0.9');
    await clock.advance(10_000);
    for (let i = 0; i < 2; i++) g.admit('10.0.0.9');
    expect(sink.texts()).toEqual([
      'dropping Access-Request from 10.0.0.9 - more than 1 requests/s (nas_rate_limit)',
      'dropping Access-Request from 10.0.0.9 - more than 1 requests/s (nas_rate_limit) (48 more since the last message)',
    ]);
    expect(g.counters.rateDrops).toBe(50);
  });
});

describe('nas_max_pending', () => {
  it('caps logins in progress per NAS; a finished login makes room', () => {
    const { g } = nasGuard({ nasMaxPending: 2 });
    expect([g.admit('a'), g.admit('a'), g.admit('a'), g.admit('b')]).toEqual([undefined, undefined, NAS_DROP.pending, undefined]);
    g.release('a');
    expect(g.admit('a')).toBeUndefined();
    expect(g.pendingOf('a')).toBe(2);
    expect(g.counters.pendingDrops).toBe(1);
  });
});

/** Holds every request until released; counts calls. */
class HoldingHandler implements RadiusHandler {
  readonly calls: RadiusRequest[] = [];
  private releases: Array<() => void> = [];
  async handle(req: RadiusRequest): Promise<Outcome> {
    this.calls.push(req);
    await new Promise<void>((r) => this.releases.push(r));
    return { kind: 'reject', replyMessage: 'no' };
  }
  releaseAll(): void {
    for (const r of this.releases.splice(0)) r();
  }
}

describe('through a real RadiusServer (UDP on 127.0.0.1)', () => {
  const SECRET = 'guard-secret';
  const handler = new HoldingHandler();
  const clock = new FakeClock();
  const { log, sink } = memoryLogger();
  const admission = new NasGuard(settings({ nasMaxPending: 3 }), clock, log);
  let server: RadiusServer;
  let port: number;
  let nas: TestNas;

  beforeAll(async () => {
    server = new RadiusServer({
      address: '127.0.0.1', port: 0, log,
      sections: [{ name: 'radius_server_auto', clients: [{ network: '127.0.0.1', secret: SECRET }], handler, requireMessageAuthenticator: false, limitProxyState: false, pwCodec: 'utf-8', admission }],
    });
    port = (await server.start()).port;
    nas = await TestNas.open();
  });
  afterAll(async () => {
    handler.releaseAll();
    await nas?.close();
    await server?.close();
  });

  it('the 4th and 5th pending logins are dropped (no reply, counted); the retransmission is handled once there is room', async () => {
    const reqs = [1, 2, 3, 4, 5].map((id) => papRequest({ user: `u${id}`, password: 'pw', secret: SECRET, identifier: id }));
    for (const r of reqs) nas.send(r, port);
    await waitUntil(() => server.stats.drops.get(NAS_DROP.pending) === 2);
    expect(handler.calls.map((c) => c.userName)).toEqual(['u1', 'u2', 'u3']);
    expect(server.inflightCount).toBe(3);
    handler.releaseAll();
    for (let i = 0; i < 3; i++) expect(await nas.next(2000)).toBeDefined();
    expect(await nas.next(300)).toBeUndefined(); // the dropped ones got nothing
    nas.send(reqs[3]!, port); // the NAS retransmits the dropped request: same id, same bytes
    await waitUntil(() => handler.calls.length === 4);
    expect(handler.calls.at(-1)!.userName).toBe('u4');
    handler.releaseAll();
    expect(await nas.next(2000)).toBeDefined();
    await waitUntil(() => server.inflightCount === 0);
    expect(admission.pendingOf('127.0.0.1')).toBe(0);
    expect(sink.texts().filter((t) => t.includes('nas_max_pending'))).toEqual([
      'dropping Access-Request from 127.0.0.1 - 3 logins already in progress (nas_max_pending)',
    ]);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}
