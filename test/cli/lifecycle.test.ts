/**
 * `authproxyctl start | status | stop | restart | version` as real processes on a temp install:
 * the daemon binds a real UDP port, answers a real login (fake Duo API over HTTPS), keeps its
 * pidfile, rotates its logs, writes Duo-format auth events, and leaves no secret in any log.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '../../src/radius/types.js';
import { smartphone, startFakeDuoApi, type FakeDuoApi } from '../fakes/duo-api/index.js';
import { freeUdpPort } from '../harness/common.js';
import { TestNas } from '../support/udp-client.js';
import { buildOnce, logFiles, makeInstall, processAlive, processesMentioning, type TestInstall } from './install.js';
import { NAS_SECRET, USER_PASSWORD, login, proxyConfig } from './proxy-config.js';

let duo: FakeDuoApi;
let install: TestInstall;
let nas: TestNas;
let port: number;
// debug=true: packet dumps and HTTP bodies are logged too, and must not leak anything either.
const ROTATION = 'debug=true\nlog_auth_events=true\nlog_max_size=600\nlog_max_files=3';

beforeAll(async () => {
  const build = await buildOnce();
  duo = await startFakeDuoApi();
  duo.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')] });
  install = makeInstall(build);
  port = await freeUdpPort();
  install.writeConfig(proxyConfig({ duo, port, main: ROTATION }));
  nas = await TestNas.open();
});

afterAll(async () => {
  await nas?.close();
  await install?.cleanup();
  await duo?.close();
});

describe('authproxyctl process control', () => {
  it('status without a pidfile: "duoauthproxy is not running", exit 3', async () => {
    const r = await install.ctl(['status']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe('duoauthproxy is not running');
  });

  it('version prints the version line', async () => {
    const r = await install.ctl(['version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^Duo Security Authentication Proxy \d+\.\d+\.\d+$/);
  });

  it('start returns once the port is bound; status 0; a real login is answered', async () => {
    const r = await install.ctl(['start']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pid = install.pid();
    expect(pid).toBeDefined();
    expect(processAlive(pid!)).toBe(true);
    // No retry loop: start only returned after the listener was bound.
    expect(await login(nas, port, 'alice')).toBe(Code.AccessAccept);
    const s = await install.ctl(['status']);
    expect(s.code).toBe(0);
    expect(s.stderr.trim()).toBe(`duoauthproxy (pid ${pid}) is running`);
  });

  it('a second start is a no-op: same pid, one daemon', async () => {
    const before = install.pid();
    const r = await install.ctl(['start']);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe(`duoauthproxy (pid ${before}) is running`);
    expect(install.pid()).toBe(before);
    const daemons = processesMentioning(install.dir).filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes('run'));
    expect(daemons).toEqual([before]);
  });

  it('restart waits for the old process, then starts a new one', async () => {
    const old = install.pid()!;
    const r = await install.ctl(['restart']);
    expect(r.code).toBe(0);
    expect(processAlive(old)).toBe(false);
    const now = install.pid();
    expect(now).toBeDefined();
    expect(now).not.toBe(old);
    expect(await login(nas, port, 'alice')).toBe(Code.AccessAccept);
  });

  it('stop waits for the exit and removes the pidfile; status then says 3', async () => {
    const pid = install.pid()!;
    const r = await install.ctl(['stop']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(processAlive(pid)).toBe(false);
    expect(install.pid()).toBeUndefined();
    expect((await install.ctl(['status'])).code).toBe(3);
    const again = await install.ctl(['stop']);
    expect(again.code).toBe(0);
    const log = readFileSync(`${install.logDir}/authproxy.log`, 'utf8');
    expect(log).toContain('Proxy stopped');
  });

  it('stale pidfile: status 1, stop removes it; garbage pidfile: status 4', async () => {
    writeFileSync(install.pidfile, '999999\n');
    const stale = await install.ctl(['status']);
    expect([stale.code, stale.stderr.trim()]).toEqual([1, 'duoauthproxy is not running']);
    expect((await install.ctl(['stop'])).code).toBe(0);
    expect(install.pid()).toBeUndefined();
    writeFileSync(install.pidfile, 'not a pid\n');
    const garbage = await install.ctl(['status']);
    expect(garbage.code).toBe(4);
    expect(garbage.stderr).toContain('duoauthproxy status unknown!');
    // start replaces a garbage pidfile
    expect((await install.ctl(['start'])).code).toBe(0);
    expect(processAlive(install.pid()!)).toBe(true);
    expect((await install.ctl(['stop'])).code).toBe(0);
  });

  it('a bad config: exit 78, the errors on stderr exactly as `check` prints them, nothing started', async () => {
    const bad = `${install.dir}/conf/bad.cfg`;
    writeFileSync(bad, '[main]\ndebug=yes\n\n[ad_client_2]\nhost=10.0.0.1\n');
    const r = await install.ctl(['start', '--config', bad]);
    const check = await install.ctl(['check', '--config', bad]);
    expect(r.code).toBe(78);
    expect(check.code).toBe(78);
    expect(r.stderr).toBe(check.stderr);
    expect(r.stderr).toContain("Invalid module: 'ad_client_2'");
    expect(r.stderr).toContain("option 'debug'");
    expect(install.pid()).toBeUndefined();
  });

  it('a port in use: exit 1 with the bind error, no pidfile left', async () => {
    const blocker = createSocket('udp4');
    await new Promise<void>((r) => blocker.bind(port, '127.0.0.1', () => r()));
    try {
      const r = await install.ctl(['start']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^Failed to start duoauthproxy: .*EADDRINUSE.*$/m);
      expect(install.pid()).toBeUndefined();
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  it('test_connectivity_on_startup: the report is printed and start goes on despite problems', async () => {
    install.writeConfig(proxyConfig({ duo, port, main: `${ROTATION}\ntest_connectivity_on_startup=true`, server: 'skey_typo=1' }));
    const r = await install.ctl(['start']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Running The Duo Authentication Proxy Connectivity Tool.');
    expect(r.stdout).toContain("Testing section 'radius_server_auto' with configuration:");
    expect(r.stdout).toMatch(/^\[info\] {2}The Auth Proxy was able to validate the ikey and skey/m);
    expect(r.stdout).toMatch(/^\[warn\] {2}Configuration: .*skey_typo/m);
    expect(r.stderr).toContain('Your configuration is not valid. Check the validation output for errors.');
    expect(await login(nas, port, 'alice')).toBe(Code.AccessAccept);
    expect((await install.ctl(['stop'])).code).toBe(0);
  });

  it('logs rotate by size: .1….3 exist, never .4 (log_max_files=3), mode 0640', () => {
    const names = logFiles(install.logDir).map((f) => f.slice(install.logDir.length + 1)).sort();
    expect(names).toContain('authproxy.log');
    expect(names).toEqual(expect.arrayContaining(['authproxy.log.1', 'authproxy.log.2', 'authproxy.log.3']));
    expect(names.filter((n) => /\.log\.(\d+)$/.test(n) && Number(/(\d+)$/.exec(n)![1]) > 3)).toEqual([]);
    for (const n of ['authproxy.log', 'authproxy.log.1', 'authevents.log']) expect(statSync(`${install.logDir}/${n}`).mode & 0o777).toBe(0o640);
  });

  it('auth events are Duo-format JSON lines (key order, lower-cased section, no password)', () => {
    const files = logFiles(install.logDir).filter((f) => f.includes('authevents.log'));
    const events = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
    expect(events.length).toBeGreaterThanOrEqual(6); // 3 logins × (primary + secondary)
    for (const line of events) {
      const e = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(e)).toEqual(['timestamp', 'msg', 'username', 'auth_stage', 'status', 'client_ip', 'server_section', 'server_section_ikey', 'factor', 'hostname']);
      expect(line).toContain('", "');
      expect(e['server_section']).toBe('radius_server_auto');
      expect(e['username']).toBe('alice');
    }
    expect(events.some((l) => l.includes('"auth_stage": "Secondary authentication", "status": "Allow"'))).toBe(true);
  });

  it('no secret or password (plain or hex) in any log file, debug on', () => {
    const plain = [NAS_SECRET, duo.skey, USER_PASSWORD];
    const secrets = [...plain, ...plain.map((p) => Buffer.from(p).toString('hex'))];
    const files = logFiles(install.logDir);
    expect(files.length).toBeGreaterThan(4);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const s of secrets) expect(text.includes(s), `${s} in ${f}`).toBe(false);
    }
  });
});
