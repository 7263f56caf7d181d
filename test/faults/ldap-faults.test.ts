/**
 * Fault injection on the LDAP leg, through the real proxy and a real slapd: slapd killed
 * (SIGKILL) mid-run and restarted — logins fail with Duo's AD outage text while it is down,
 * Status-Server (RFC 5997) is still answered to radclient, and logins work again after the
 * restart; a login racing the kill is answered either way; the first host blackholed (a TCP
 * listener that accepts and never answers) → failover to the second host within the per-host
 * `timeout`. After each: nothing in flight, no socket left open, no heap growth over a loop.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDuoApi, type FakeDuoApi } from '../fakes/duo-api/index.js';
import { startSlapd, type SlapdHandle } from '../harness/slapd.js';
import { NAS_SECRET, slapdClientSection, startE2e, type E2e } from '../e2e/env.js';
import { heapAfterGc, idle, socketHandles, socketsSettle } from './helpers.js';

const AD_DOWN = 'Failed to communicate with any Active Directory server';
const BYPASS = 'Bypass user';

let slapd: SlapdHandle;
let duo: FakeDuoApi;

beforeAll(async () => {
  slapd = await startSlapd();
  duo = await startFakeDuoApi({ defaultScenario: { kind: 'allow', status: BYPASS } });
});
afterAll(async () => {
  await duo?.close();
  await slapd?.stop();
});

/** `radclient … status`: the proxy's answer to a Status-Server with Message-Authenticator. */
function radclientStatus(port: number): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile('radclient', ['-x', '-r', '1', '-t', '2', `127.0.0.1:${port}`, 'status', NAS_SECRET], { timeout: 10_000 }, (_e, out, err) =>
      resolve(`${out}${err}`),
    );
    child.stdin?.end('Message-Authenticator = 0x00\n');
  });
}

describe('slapd killed and restarted', () => {
  let env: E2e;
  let baseline = 0;
  beforeAll(async () => {
    env = await startE2e({ duo, clientSection: slapdClientSection(slapd).replace('timeout=3', 'timeout=2') });
    expect((await env.login('alice', 'alicepw'))?.message).toBe(BYPASS);
    baseline = socketHandles();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('down: the AD outage text, quickly, and Status-Server still answered; up again: logins work', async () => {
    await slapd.kill();
    const started = Date.now();
    const r = await env.login('alice', 'alicepw');
    expect([r?.code, r?.message]).toEqual([3, AD_DOWN]);
    expect(Date.now() - started).toBeLessThan(2000 + 1500);
    expect(await idle(env)).toBe(true);
    const status = await radclientStatus(env.port);
    expect(status).toMatch(/^Received Access-Accept Id \d+ from 127\.0\.0\.1:\d+/m);
    await slapd.restart();
    const again = await env.login('alice', 'alicepw');
    expect([again?.code, again?.message]).toEqual([2, BYPASS]);
    expect(await idle(env)).toBe(true);
    expect(await socketsSettle(baseline)).toBe(true);
  });

  it('a login racing the kill is answered (success or the outage text) and nothing stays in flight', async () => {
    const pending = env.login('alice', 'alicepw', { timeoutMs: 8000 });
    await slapd.kill();
    const r = await pending;
    expect([[2, BYPASS], [3, AD_DOWN]]).toContainEqual([r?.code, r?.message]);
    expect(await idle(env)).toBe(true);
    await slapd.restart();
    expect((await env.login('alice', 'alicepw'))?.code).toBe(2);
  });

  it('200 logins while slapd is down: same answer each time, sockets back to baseline, heap after GC within 6 MB', async () => {
    await slapd.kill();
    try {
      for (let i = 0; i < 20; i++) expect((await env.login('alice', 'alicepw'))?.message).toBe(AD_DOWN);
      const before = heapAfterGc();
      for (let i = 0; i < 200; i++) expect((await env.login(i % 2 ? 'alice' : 'bob', 'pw'))?.message).toBe(AD_DOWN);
      expect(await idle(env)).toBe(true);
      expect(await socketsSettle(baseline)).toBe(true);
      expect(heapAfterGc() - before).toBeLessThan(6 * 1024 * 1024);
    } finally {
      await slapd.restart();
    }
  }, 60_000);
});

describe('first LDAP host blackholed', () => {
  const BLACKHOLE = '127.0.0.2';
  let hole: Server;
  const held = new Set<Socket>();
  let env: E2e;

  beforeAll(async () => {
    hole = createServer((s) => {
      held.add(s);
      s.resume(); // read and discard: the client's FIN is seen, nothing is ever answered
      s.on('error', () => undefined);
      s.on('close', () => held.delete(s));
    });
    await new Promise<void>((r) => hole.listen(slapd.port, BLACKHOLE, () => r()));
    const section = slapdClientSection(slapd).replace('host=127.0.0.1', `host=${BLACKHOLE}\nhost_1=127.0.0.1`).replace('timeout=3', 'timeout=2');
    env = await startE2e({ duo, clientSection: section });
  });
  afterAll(async () => {
    await env?.close();
    for (const s of held) s.destroy();
    await new Promise<void>((r) => hole.close(() => r()));
  });

  it('fails over to the second host after the per-host timeout (2 s); the blackholed connection is dropped', async () => {
    const started = Date.now();
    const r = await env.login('alice', 'alicepw', { timeoutMs: 8000 });
    const elapsed = Date.now() - started;
    expect([r?.code, r?.message]).toEqual([2, BYPASS]);
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(2000 + 1500);
    expect(env.authLog()).toContain(`Error sending AD auth request to '${BLACKHOLE}'. Trying next fallback host...`);
    expect(await idle(env)).toBe(true);
    // The attempt's connection to the blackhole is not kept open forever.
    const until = Date.now() + 3000;
    while (held.size > 0 && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
    expect(held.size).toBe(0);
  });
});
