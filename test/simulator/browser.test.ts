/**
 * The demo path end to end, with nothing faked but Duo itself: the push simulator, the real proxy
 * (runProxy) on a config rendered from conf/demo.cfg, a RADIUS login sent by `test-login` over UDP,
 * and the simulator's page in headless Debian Chromium (playwright-core) where a click on Approve
 * or Deny decides the login.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTestLogin } from '../../src/cli/test-login.js';
import type { CliContext } from '../../src/cli/main.js';
import { runProxy, type RunningProxy } from '../../src/server/run.js';
import { renderDemoConfig } from '../../src/simulator/demo-config.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dir: string;
let cfg: string;
let sim: RunningSimulator;
let proxy: RunningProxy;
let browser: Browser;
let page: Page;

/** A UDP port that was free a moment ago (the proxy binds it right after). */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function login(user: string, password: string): Promise<{ code: number; stdout: string[] }> {
  const stdout: string[] = [];
  const ctx: CliContext = { installDir: dir, out: (l) => stdout.push(l), err: () => undefined, setExitCode: () => undefined };
  return runTestLogin({ user, password, config: cfg, timeoutSec: 25 }, ctx).then((code) => ({ code, stdout }));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sim-browser-'));
  sim = await startSimulator({ stateDir: join(dir, 'simulator') });
  const template = readFileSync(new URL('../../conf/demo.cfg', import.meta.url), 'utf8');
  const text = renderDemoConfig(template, {
    ikey: sim.ikey, skey: sim.skey, apiHost: sim.apiHost, apiPort: sim.apiPort, caCertPath: sim.caCertPath,
    logDir: join(dir, 'log'), radiusPort: await freeUdpPort(),
  });
  cfg = join(dir, 'authproxy.cfg');
  writeFileSync(cfg, text.replace('log_stdout=true', 'log_stdout=false'));
  proxy = await runProxy({ configPath: cfg, installDir: dir });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage();
  await page.goto(sim.webUrl);
});

afterAll(async () => {
  await browser?.close();
  await proxy?.stop(0);
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('demo in a browser', () => {
  it('shows the integration to copy: ikey, api_host and api_port', async () => {
    const text = await page.locator('#integration').textContent();
    expect(text).toContain(`ikey=${sim.ikey}`);
    expect(text).toContain(`api_port=${sim.apiPort}`);
    expect(text).not.toContain(sim.skey);
  });

  it('Approve on the page → the RADIUS login gets Access-Accept', async () => {
    const result = login('alice', 'anypassword');
    const row = page.locator('#pending tr[data-user="alice"]');
    await row.getByRole('button', { name: 'Approve', exact: true }).click();
    expect(await result).toEqual({ code: 0, stdout: ['Access-Accept', 'Reply-Message: Success. Logging you in...'] });
    await expect.poll(() => row.count()).toBe(0);
    await expect.poll(() => page.locator('#history li').first().textContent()).toMatch(/alice \(push\): approved$/);
  });

  it('Deny on the page → the RADIUS login gets Access-Reject', async () => {
    const result = login('bob', 'anypassword');
    const deny = page.locator('#pending tr[data-user="bob"] button[data-action="deny"]');
    await expect.poll(() => deny.getAttribute('data-push-id')).toMatch(/^[0-9a-f]{24}$/);
    await page.locator('#pending tr[data-user="bob"]').getByRole('button', { name: 'Deny', exact: true }).click();
    expect(await result).toEqual({ code: 1, stdout: ['Access-Reject', 'Reply-Message: Login request denied.'] });
  });

  it('the passcode shown on the page logs in as "password,passcode"', async () => {
    const cell = page.locator('#users tr[data-user="alice"] [data-passcode]');
    const code = (await cell.getAttribute('data-passcode')) ?? '';
    expect(code).toMatch(/^\d{6}$/);
    expect(await login('alice', `anypassword,${code}`)).toEqual({ code: 0, stdout: ['Access-Accept', 'Reply-Message: Success. Logging you in...'] });
  });
});
