/**
 * Fault injection on the Duo Auth API leg, through the real proxy (runProxy, real UDP) and the
 * fake Auth API over real HTTPS: refused, hanging (api_timeout=1), 401/429/500, malformed, and
 * dying while a push is pending (outage switched on mid-push, or the fake closed mid-push).
 * Each outcome is the exact failmode answer of spec §5.7/§5.8 for `safe` and for `secure`;
 * after each one nothing is left in flight and no socket is left open; a loop of failing logins
 * does not grow the heap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smartphone, startFakeDuoApi, type FakeDuoApi, type FakeEndpoint, type OutageMode } from '../fakes/duo-api/index.js';
import { startE2e, type E2e } from '../e2e/env.js';
import { heapAfterGc, idle, socketHandles, socketsSettle } from './helpers.js';

const OPEN = 'Failmode Safe - Allowed Duo login on preauth failure';
const PRE_CLOSED = 'Failmode Secure - Denied Duo login on preauth failure';
const AUTH_CLOSED = 'Denied Duo login on auth failure';
const AUTH_TIMEOUT = 'Denied Duo login due to timeout';
const SUCCESS = 'Success. Logging you in...';
type Answer = readonly [code: number, message: string];
const ACCEPT_OPEN: Answer = [2, OPEN];

/** Outage, where, and the answer under failmode=safe and failmode=secure (spec §5.7 matrix). */
const MATRIX: readonly [OutageMode, FakeEndpoint | 'all', Answer, Answer][] = [
  ['refuse', 'all', ACCEPT_OPEN, [3, PRE_CLOSED]],
  ['hang', 'preauth', ACCEPT_OPEN, [3, PRE_CLOSED]],
  ['hang', 'auth', [3, AUTH_TIMEOUT], [3, AUTH_TIMEOUT]],
  ['http401', 'preauth', [3, PRE_CLOSED], [3, PRE_CLOSED]],
  ['http401', 'auth', [3, AUTH_CLOSED], [3, AUTH_CLOSED]],
  ['http429', 'preauth', [3, PRE_CLOSED], [3, PRE_CLOSED]],
  ['http429', 'auth', [3, AUTH_CLOSED], [3, AUTH_CLOSED]],
  ['http500', 'preauth', ACCEPT_OPEN, [3, PRE_CLOSED]],
  ['http500', 'auth', ACCEPT_OPEN, [3, AUTH_CLOSED]],
  ['malformed-json', 'preauth', [3, PRE_CLOSED], [3, PRE_CLOSED]],
  ['malformed-json', 'auth', [3, AUTH_CLOSED], [3, AUTH_CLOSED]],
  ['missing-fields', 'auth', ACCEPT_OPEN, [3, AUTH_CLOSED]],
];

let duo: FakeDuoApi;
const envs: Record<'safe' | 'secure', E2e> = {} as Record<'safe' | 'secure', E2e>;
let baselineSockets = 0;

const alice = (push = { result: 'allow' as const, status: SUCCESS, afterMs: 0 }) =>
  duo.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')], push });

beforeAll(async () => {
  duo = await startFakeDuoApi();
  for (const mode of ['safe', 'secure'] as const) {
    envs[mode] = await startE2e({ duo, clientSection: '[duo_only_client]', serverOptions: `failmode=${mode}\napi_timeout=1` });
  }
  alice();
  for (const env of Object.values(envs)) expect((await env.login('alice', 'x'))?.code).toBe(2); // warm pools
  baselineSockets = socketHandles();
});
afterAll(async () => {
  for (const env of Object.values(envs)) await env?.close();
  await duo?.close();
});

describe.each(['safe', 'secure'] as const)('failmode=%s', (mode) => {
  it.each(MATRIX.map((row) => [`${row[0]} at ${row[1]}`, ...row] as const))('%s', async (_name, outage, where, safe, secure) => {
    const env = envs[mode];
    await duo.reset();
    alice();
    await duo.setOutage(where, outage);
    const r = await env.login('alice', 'x', { timeoutMs: 5000 });
    expect([r?.code, r?.message]).toEqual(mode === 'safe' ? [...safe] : [...secure]);
    expect(await idle(env)).toBe(true);
    await duo.setOutage(where, null);
    expect(await socketsSettle(baselineSockets)).toBe(true);
  });

  it('the Auth API dies while the push is pending (outage mid-push) → auth failure, closed in both modes', async () => {
    const env = envs[mode];
    await duo.reset();
    alice({ result: 'allow', status: SUCCESS, afterMs: 3000 });
    const pending = env.login('alice', 'x', { timeoutMs: 6000 });
    const arrived = await waitForCall(duo, 'auth');
    expect(arrived).toBe(true);
    await duo.setOutage('all', 'refuse');
    const r = await pending;
    expect([r?.code, r?.message]).toEqual([3, AUTH_CLOSED]);
    expect(await idle(env)).toBe(true);
    await duo.setOutage('all', null);
    expect(await socketsSettle(baselineSockets)).toBe(true);
  });
});

describe('the fake Auth API closed for good mid-push', () => {
  it('both modes deny with the auth failure text; nothing stays in flight', async () => {
    const own = await startFakeDuoApi();
    own.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')], push: { result: 'allow', afterMs: 5000 } });
    for (const mode of ['safe', 'secure'] as const) {
      const env = await startE2e({ duo: own, clientSection: '[duo_only_client]', serverOptions: `failmode=${mode}\napi_timeout=10` });
      try {
        own.calls.length = 0;
        const pending = env.login('alice', 'x', { timeoutMs: 8000 });
        expect(await waitForCall(own, 'auth')).toBe(true);
        // safe: the listener goes away and comes back; secure: the service is closed for good.
        if (mode === 'secure') await own.close();
        else await own.setOutage('all', 'refuse');
        const r = await pending;
        expect([r?.code, r?.message]).toEqual([3, AUTH_CLOSED]);
        expect(await idle(env)).toBe(true);
        if (mode === 'safe') await own.setOutage('all', null);
      } finally {
        await env.close();
      }
    }
    await own.close();
  });
});

describe('no growth over a loop of failing logins', () => {
  it('300 logins against a refusing Auth API: sockets back to baseline, heap after GC within 6 MB', async () => {
    await duo.reset();
    alice();
    await duo.setOutage('all', 'refuse');
    const run = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const env = i % 2 ? envs.safe : envs.secure;
        const r = await env.login('alice', 'x');
        expect(r?.message).toBe(i % 2 ? OPEN : PRE_CLOSED);
      }
    };
    await run(40);
    const heapBefore = heapAfterGc();
    await run(300);
    expect(await idle(envs.safe)).toBe(true);
    expect(await idle(envs.secure)).toBe(true);
    expect(await socketsSettle(baselineSockets)).toBe(true);
    const growth = heapAfterGc() - heapBefore;
    expect(growth).toBeLessThan(6 * 1024 * 1024);
    await duo.setOutage('all', null);
  }, 60_000);
});

async function waitForCall(fake: FakeDuoApi, endpoint: FakeEndpoint, timeoutMs = 3000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!fake.calls.some((c) => c.endpoint === endpoint)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
