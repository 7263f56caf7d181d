/**
 * `authproxyctl reload` against a real daemon: the new config is validated first (a bad one is
 * reported with exit 78 and the daemon keeps running untouched), then SIGHUP swaps it in — the pid
 * stays the same, and the next login sees the change.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '../../src/radius/types.js';
import { startFakeDuoApi, type FakeDuoApi } from '../fakes/duo-api/index.js';
import { freeUdpPort } from '../harness/common.js';
import { TestNas } from '../support/udp-client.js';
import { buildOnce, makeInstall, type TestInstall } from './install.js';
import { login, proxyConfig } from './proxy-config.js';

let duo: FakeDuoApi;
let install: TestInstall;
let nas: TestNas;
let port: number;

beforeAll(async () => {
  const build = await buildOnce();
  duo = await startFakeDuoApi();
  duo.setUser('alice', { kind: 'deny', status: 'Access denied.' });
  install = makeInstall(build);
  port = await freeUdpPort();
  install.writeConfig(proxyConfig({ duo, port }));
  nas = await TestNas.open();
});
afterAll(async () => {
  await install?.ctl(['stop']);
  await nas?.close();
  await install?.cleanup();
  await duo?.close();
});

describe('authproxyctl reload', () => {
  it('not running: exit 3', async () => {
    const r = await install.ctl(['reload']);
    expect([r.code, r.stderr.trim()]).toEqual([3, 'duoauthproxy is not running']);
  });

  it('validates first, then swaps the config into the same process', async () => {
    expect((await install.ctl(['start'])).code).toBe(0);
    const pid = install.pid();
    expect(await login(nas, port, 'alice')).toBe(Code.AccessReject);
    install.writeConfig(proxyConfig({ duo, port, server: 'failmode=maybe' }));
    const bad = await install.ctl(['reload']);
    expect(bad.code).toBe(78);
    expect(bad.stderr).toMatch(/authproxy\.cfg:\d+: \[radius_server_auto\] option 'failmode'/);
    expect(await login(nas, port, 'alice')).toBe(Code.AccessReject);
    install.writeConfig(proxyConfig({ duo, port, server: 'exempt_username_1=alice' }));
    const ok = await install.ctl(['reload']);
    expect([ok.code, ok.stdout.trim()]).toEqual([0, `reload requested (pid ${pid}); see authproxy.log for the outcome`]);
    let code: number | undefined;
    for (let i = 0; i < 50 && code !== Code.AccessAccept; i++) {
      await new Promise((r) => setTimeout(r, 100));
      code = await login(nas, port, 'alice');
    }
    expect(code).toBe(Code.AccessAccept);
    expect(install.pid()).toBe(pid);
    await new Promise((r) => setTimeout(r, 200)); // the log is written in batches
    expect(readFileSync(join(install.logDir, 'authproxy.log'), 'utf8')).toContain('Reload complete');
  });
});
