/**
 * Stopping with a login in flight (a push the fake Duo API answers only after 2.5 s): with a short
 * `--grace` the pending login is deliberately left unanswered and logged, and the daemon exits
 * cleanly; with a long grace the login is answered before the daemon exits.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '../../src/radius/types.js';
import { smartphone, startFakeDuoApi, type FakeDuoApi } from '../fakes/duo-api/index.js';
import { freeUdpPort } from '../harness/common.js';
import { TestNas } from '../support/udp-client.js';
import { buildOnce, makeInstall, processAlive, type TestInstall } from './install.js';
import { login, proxyConfig } from './proxy-config.js';

const PUSH_MS = 2500;
let duo: FakeDuoApi;
let install: TestInstall;
let nas: TestNas;
let port: number;

beforeAll(async () => {
  const build = await buildOnce();
  duo = await startFakeDuoApi();
  duo.setUser('slow', { kind: 'auth', devices: [smartphone('DPSLOW00000000000001')], push: { result: 'allow', afterMs: PUSH_MS } });
  install = makeInstall(build);
  port = await freeUdpPort();
  install.writeConfig(proxyConfig({ duo, port }));
  nas = await TestNas.open();
});

afterAll(async () => {
  await nas?.close();
  await install?.cleanup();
  await duo?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the fake has received the auth call (the push is then pending). */
async function authPending(before: number): Promise<void> {
  for (let i = 0; i < 100 && !duo.calls.slice(before).some((c) => c.endpoint === 'auth'); i++) await sleep(20);
  expect(duo.calls.slice(before).some((c) => c.endpoint === 'auth')).toBe(true);
}

describe('stop with a login in flight', () => {
  it('short grace: the pending login gets no reply, is logged, and the daemon exits cleanly', async () => {
    expect((await install.ctl(['start', '--grace', '0.2'])).code).toBe(0);
    const pid = install.pid()!;
    const before = duo.calls.length;
    const reply = login(nas, port, 'slow', PUSH_MS + 1500);
    await authPending(before);
    const t0 = Date.now();
    const stop = await install.ctl(['stop']);
    const stopMs = Date.now() - t0;
    expect(stop.code).toBe(0);
    expect(stopMs).toBeLessThan(PUSH_MS);
    expect(processAlive(pid)).toBe(false);
    expect(install.pid()).toBeUndefined();
    expect(await reply).toBeUndefined();
    const log = readFileSync(`${install.logDir}/authproxy.log`, 'utf8');
    expect(log).toMatch(/slow, \d+\): not answering: shutting down/);
    expect(log).toContain('Received SIGTERM: stopping; waiting up to 0.2 s for 1 login(s) in flight');
    expect(log.trimEnd().split('\n').at(-1)).toMatch(/Proxy stopped$/);
  });

  it('long grace: the pending login is answered before the daemon exits', async () => {
    expect((await install.ctl(['start', '--grace', '10'])).code).toBe(0);
    const pid = install.pid()!;
    const before = duo.calls.length;
    const reply = login(nas, port, 'slow', PUSH_MS + 3000);
    await authPending(before);
    const stop = install.ctl(['stop']);
    expect(await reply).toBe(Code.AccessAccept);
    expect((await stop).code).toBe(0);
    expect(processAlive(pid)).toBe(false);
    expect(install.pid()).toBeUndefined();
  });
});
