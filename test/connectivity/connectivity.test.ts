/**
 * The connectivity tool against real peers: the fake Duo API over HTTPS (good and wrong skey), a
 * real slapd (clear with the right service password, LDAPS with a wrong one), an upstream RADIUS
 * that answers Status-Server and one that is silent, a free and a busy UDP port. In-process for
 * the detailed verdicts, then `authproxyctl connectivity` as a process, beside a running daemon.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { runConnectivity, type ConnectivityResult } from '../../src/connectivity/run.js';
import { Code } from '../../src/radius/types.js';
import { startFakeDuoApi, type FakeDuoApi, duoSectionLines } from '../fakes/duo-api/index.js';
import { freeUdpPort } from '../harness/common.js';
import { startSlapd, type SlapdHandle } from '../harness/slapd.js';
import { FakeUpstream, signedReply } from '../support/fake-upstream.js';
import { buildOnce, logFiles, makeInstall, type TestInstall } from '../cli/install.js';

const RADIUS_SECRET = 'upstream-secret-55aa';
const WRONG_SKEY = 'Zz'.repeat(20);
const WRONG_LDAP_PW = 'not-the-admin-pw-31';

let duo: FakeDuoApi;
let slapd: SlapdHandle;
let answering: FakeUpstream;
let silent: FakeUpstream;
let busy: Socket;
let dir: string;
let result: ConnectivityResult;
let out: string[];

function section(name: string): string[] {
  const start = out.indexOf(`Testing section '${name}' with configuration:`);
  expect(start, name).toBeGreaterThanOrEqual(0);
  return out.slice(start + 2, out.indexOf('-----------------------------', start));
}

beforeAll(async () => {
  [duo, slapd] = await Promise.all([startFakeDuoApi(), startSlapd()]);
  answering = await FakeUpstream.open((req) => (req[0] === Code.StatusServer ? [signedReply(req, { code: Code.AccessAccept, secret: Buffer.from(RADIUS_SECRET) })] : undefined));
  silent = await FakeUpstream.open();
  busy = createSocket('udp4');
  await new Promise<void>((r) => busy.bind(0, '127.0.0.1', () => r()));
  dir = mkdtempSync(join(tmpdir(), 'authproxy-connectivity-'));
  const freePort = await freeUdpPort();
  const cfg = join(dir, 'authproxy.cfg');
  writeFileSync(cfg, `[main]
http_ca_certs_file=${duo.caCertPath}
log_dir=${dir}/log

[ad_client]
host=${slapd.host}
port=${slapd.port}
service_account_username=${slapd.adminDn}
service_account_password=${slapd.adminPw}
bind_dn=${slapd.adminDn}
search_dn=${slapd.baseDn}
username_attribute=uid
auth_type=plain
timeout=3

[ad_client2]
host=${slapd.host}
port=${slapd.ldapsPort}
transport=ldaps
ssl_ca_certs_file=${slapd.caFile}
service_account_username=${slapd.adminDn}
service_account_password=${WRONG_LDAP_PW}
bind_dn=${slapd.adminDn}
search_dn=${slapd.baseDn}
username_attribute=uid
auth_type=plain
timeout=3

[radius_client]
host=127.0.0.1
port=${answering.port}
host_1=127.0.0.1
port_1=${silent.port}
secret=${RADIUS_SECRET}

[radius_server_auto]
${duoSectionLines(duo)}
radius_ip_1=127.0.0.1
radius_secret_1=nas-secret-conn-1
interface=127.0.0.1
port=${freePort}
client=ad_client

[radius_server_auto2]
${duoSectionLines({ ...duo, skey: WRONG_SKEY })}
radius_ip_1=127.0.0.1
radius_secret_1=nas-secret-conn-2
interface=127.0.0.1
port=${busy.address().port}
client=radius_client
`);
  out = [];
  result = await runConnectivity(await loadConfig(cfg), { installDir: dir, out: (l) => out.push(l) });
});

afterAll(async () => {
  await Promise.allSettled([duo?.close(), slapd?.stop(), answering?.close(), silent?.close()]);
  busy?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('connectivity tool verdicts', () => {
  it('prints the banner, a masked configuration per section, and exits 1 when something is wrong', () => {
    expect(out[0]).toBe('Running The Duo Authentication Proxy Connectivity Tool. This may take several minutes...');
    expect(result.exitCode).toBe(1);
    const i = out.indexOf("Testing section 'radius_server_auto2' with configuration:");
    expect(out[i + 1]).toMatch(/^\{.*'skey': '\*\*\*\*\*\[40\]'.*\}$/);
  });

  it('[main]: the CA bundle is read', () => {
    expect(section('main')).toEqual([`[info]  The Auth Proxy was able to load 1 CA certificate(s) from ${duo.caCertPath}.`]);
  });

  it('[ad_client]: TCP, service bind, search — all pass against slapd', () => {
    expect(section('ad_client')).toEqual([
      `[info]  The Auth Proxy was able to establish a TCP connection to ${slapd.host}:${slapd.port}.`,
      `[info]  The Auth Proxy was able to bind as ${slapd.adminDn}.`,
      `[info]  The Auth Proxy was able to search ${slapd.baseDn} and found at least one user.`,
    ]);
  });

  it('[ad_client2]: LDAPS is established, the bind with the wrong password fails with the fix', () => {
    const lines = section('ad_client2');
    expect(lines[1]).toBe(`[info]  The Auth Proxy was able to establish an LDAPS connection to ${slapd.host}:${slapd.ldapsPort}.`);
    expect(lines[2]).toMatch(/^\[error\] The Auth Proxy was unable to bind as cn=admin,dc=example,dc=com \(InvalidCredentialsError.*\)\. Check service_account_username, bind_dn and service_account_password\.$/);
    expect(lines).toHaveLength(3);
  });

  it('[radius_client]: the answering server is confirmed, the silent one cannot be', () => {
    const lines = section('radius_client');
    expect(lines[0]).toBe(`[info]  The Auth Proxy was able to establish a RADIUS connection to 127.0.0.1:${answering.port}.`);
    expect(lines[1]).toMatch(new RegExp(`^\\[warn\\]  We cannot confirm that the Auth Proxy can establish a RADIUS connection to 127\\.0\\.0\\.1:${silent.port}: .*status_server = yes`));
    // One Status-Server each, with Message-Authenticator (80) and NAS-IP-Address (4).
    for (const peer of [answering, silent]) {
      expect(peer.received).toHaveLength(1);
      const pkt = peer.received[0]!.data;
      expect(pkt[0]).toBe(Code.StatusServer);
      expect(pkt[20]).toBe(80);
      expect(pkt.subarray(38).includes(Buffer.from([4, 6]))).toBe(true);
    }
  });

  it('[radius_server_auto]: ping, clock, keys and listen all pass', () => {
    const lines = section('radius_server_auto');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`^\\[info\\]  The Auth Proxy was able to reach the Duo API at 127\\.0\\.0\\.1:${duo.port} \\(ping took \\d+ ms\\)\\.$`));
    expect(lines[1]).toMatch(/^\[info\] {2}The Auth Proxy's clock is within \d+ seconds? of Duo's\.$/);
    expect(lines[2]).toBe('[info]  The Auth Proxy was able to validate the ikey and skey of this section with Duo.');
    expect(lines[3]).toMatch(/^\[info\] {2}The Auth Proxy will be able to accept connections on port \d+ on interface 127\.0\.0\.1$/);
  });

  it('[radius_server_auto2]: a wrong skey and a busy port are errors with their fixes', () => {
    const lines = section('radius_server_auto2');
    expect(lines[2]).toMatch(/^\[error\] Duo rejected the ikey or skey of this section \(.*\)\. Copy ikey, skey and api_host/);
    expect(lines[3]).toBe(`[error] The Auth Proxy cannot listen on port ${busy.address().port} on interface 127.0.0.1 (EADDRINUSE). Another program is using this port: stop it or choose another port.`);
  });

  it('SUMMARY lists the sections with problems; the log file has the same lines, timestamped', () => {
    const summary = out.slice(out.indexOf('SUMMARY'));
    expect(summary).toContain("Section 'ad_client2': 1 problem, 0 warnings");
    expect(summary).toContain("Section 'radius_client': 0 problems, 1 warning");
    expect(summary).toContain("Section 'radius_server_auto2': 2 problems, 0 warnings");
    expect(summary.some((l) => l.startsWith("Section 'ad_client':"))).toBe(false);
    expect(out.at(-1)).toBe(`The results have also been logged in ${dir}/log/connectivity_tool.log`);
    const logged = readFileSync(join(dir, 'log', 'connectivity_tool.log'), 'utf8').trimEnd().split('\n');
    expect(logged).toHaveLength(out.length);
    logged.forEach((l, k) => expect(l).toBe(`${l.slice(0, 24)} ${out[k]}`));
  });

  it('no secret or password is printed or logged', () => {
    const text = out.join('\n') + readFileSync(join(dir, 'log', 'connectivity_tool.log'), 'utf8');
    for (const s of [duo.skey, WRONG_SKEY, slapd.adminPw, WRONG_LDAP_PW, RADIUS_SECRET, 'nas-secret-conn-1', 'nas-secret-conn-2']) expect(text.includes(s), s).toBe(false);
  });
});

describe('authproxyctl connectivity (process)', () => {
  let install: TestInstall;
  beforeAll(async () => {
    install = makeInstall(await buildOnce());
  });
  afterAll(async () => {
    await install?.cleanup();
  });

  it('beside the running daemon: its port is skipped with a note, no issues, exit 0, logged under log/', async () => {
    const port = await freeUdpPort();
    install.writeConfig(`[main]\nhttp_ca_certs_file=${duo.caCertPath}\n\n[duo_only_client]\n\n[radius_server_auto]\nikey=${duo.ikey}\nskey=${duo.skey}\napi_host=127.0.0.1\napi_port=${duo.port}\nradius_ip_1=127.0.0.1\nradius_secret_1=nas-secret-conn-3\ninterface=127.0.0.1\nport=${port}\nclient=duo_only_client\n`);
    expect((await install.ctl(['start'])).code).toBe(0);
    const pid = install.pid();
    try {
      const r = await install.ctl(['connectivity']);
      expect(r.stdout).toContain(`[info]  Port ${port} on interface 127.0.0.1 is in use by the running Auth Proxy (pid ${pid}); the listen check was skipped.`);
      expect(r.stdout).toMatch(/^SUMMARY\nNo issues detected\nThe results have also been logged in .*\/log\/connectivity_tool\.log$/m);
      expect(r.code).toBe(0);
    } finally {
      expect((await install.ctl(['stop'])).code).toBe(0);
    }
    for (const f of logFiles(install.logDir)) {
      const text = readFileSync(f, 'utf8');
      for (const s of [duo.skey, 'nas-secret-conn-3']) expect(text.includes(s), `${s} in ${f}`).toBe(false);
    }
  });

  it('a config that cannot be loaded: Duo\'s sentence, the errors, exit 78', async () => {
    writeFileSync(join(install.dir, 'conf', 'bad.cfg'), '[radius_server_auto]\nikey=x\n');
    const r = await install.ctl(['connectivity', '--config', join(install.dir, 'conf', 'bad.cfg')]);
    expect(r.code).toBe(78);
    expect(r.stderr.split('\n')[0]).toBe('The follow configuration error is preventing the tool from running. Please resolve it and try again:');
    expect(r.stdout).toBe('');
  });
});
