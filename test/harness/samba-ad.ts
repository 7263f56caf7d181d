/**
 * A throwaway Samba 4 Active Directory domain controller (LDAP service only) on a loopback
 * address of its own, for tests that need real AD behaviour: `sAMAccountName`, UPN binds,
 * `memberOf`, `primaryGroupID`/`objectSid`, AD bind errors (`data 52e`, `data 533`).
 *
 * Samba cannot move LDAP off ports 389/636, so each instance gets its own address 127.0.0.N
 * (claimed atomically with `ip addr add`, released on stop) and binds only there
 * (`interfaces` + `bind interfaces only`). Needs root, like Samba itself.
 *
 * Provisioning a domain takes seconds, so it is done once into a template directory under
 * /tmp keyed by the Samba version and this file's fixture version; every instance starts from a
 * copy of it (`cp -a`) with its own smb.conf and test-CA certificate.
 *
 * Domain EXAMPLE.COM (NetBIOS EXAMPLE, base DN DC=example,DC=com, password complexity off):
 * - Administrator / Adm1n!Passw0rd
 * - svc-duo / svcpw — service account for the search binds
 * - alice / alicepw — member of duo-users
 * - bob / bobpw — member of other
 * - carol / carolpw — account disabled (bind fails with `data 533`)
 * - dave / davepw — primary group duo-users (so *not* in duo-users' `member`/his `memberOf`)
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { createTestCa } from '../support/test-ca.js';
import { makeTempDir, run, startDaemon, waitFor, type Daemon } from './common.js';

/** Bump when the fixture below changes: old templates are then ignored. */
const FIXTURE_VERSION = 'ad-fixture-1';
const TEMPLATE_ROOT = '/tmp/authproxy-samba-template';
const REALM = 'EXAMPLE.COM';
const DNS_DOMAIN = 'example.com';
const DOMAIN = 'EXAMPLE';
const BASE_DN = 'DC=example,DC=com';
const ADMIN_PW = 'Adm1n!Passw0rd';

/** A fixture account. */
export interface SambaUser {
  /** `sAMAccountName`. */
  readonly username: string;
  readonly password: string;
  readonly dn: string;
  /** `user@example.com` (its userPrincipalName). */
  readonly upn: string;
  /** `EXAMPLE\user`. */
  readonly netbiosName: string;
}

/** A fixture group. */
export interface SambaGroup {
  readonly dn: string;
  /** Relative identifier: last component of its objectSid. */
  readonly rid: number;
}

/** A running throwaway Samba AD DC (see the module comment for its data). */
export interface SambaAdHandle {
  /** Loopback address of this instance, e.g. `127.0.0.73`. */
  readonly ip: string;
  /** `ldap://<ip>:389`. */
  readonly url: string;
  /** `ldaps://<ip>:636`. */
  readonly ldapsUrl: string;
  readonly port: 389;
  readonly ldapsPort: 636;
  /** PEM of the test CA that signed the DC's certificate (SAN IP:<ip>, DNS:localhost). */
  readonly caFile: string;
  readonly baseDn: string;
  readonly realm: string;
  /** NetBIOS domain name. */
  readonly domain: string;
  readonly admin: SambaUser;
  readonly serviceAccount: SambaUser;
  readonly users: { readonly alice: SambaUser; readonly bob: SambaUser; readonly carol: SambaUser; readonly dave: SambaUser };
  readonly groups: { readonly duoUsers: SambaGroup; readonly other: SambaGroup };
  /** Milliseconds spent provisioning the template (0 when an existing template was reused). */
  readonly provisionMs: number;
  /** Milliseconds from copying the template until LDAP answered. */
  readonly startMs: number;
  readonly dir: string;
  /** Samba's own output (`samba -i`). */
  log(): string;
  /** SIGTERM to the Samba processes, releases the address, removes the directory. */
  stop(): Promise<void>;
  /** SIGKILL (a crash); `stop()` still cleans up afterwards. */
  kill(): Promise<void>;
}

/** Options for {@link startSambaAd}. */
export interface SambaAdOptions {
  /** Instance directory (emptied); default a fresh temp dir. Removed by `stop()` either way. */
  readonly dir?: string;
}

const user = (username: string, password: string, dn = `CN=${username},CN=Users,${BASE_DN}`): SambaUser => ({
  username,
  password,
  dn,
  upn: `${username}@${DNS_DOMAIN}`,
  netbiosName: `${DOMAIN}\\${username}`,
});

/** samba-tool steps that build the fixture (run against the template's smb.conf). */
const FIXTURE: readonly (readonly string[])[] = [
  ['domain', 'passwordsettings', 'set', '--complexity=off', '--min-pwd-length=1', '--history-length=0',
    '--min-pwd-age=0', '--max-pwd-age=0'],
  ['user', 'create', 'svc-duo', 'svcpw'],
  ['user', 'create', 'alice', 'alicepw', '--mail-address=alice@example.com'],
  ['user', 'create', 'bob', 'bobpw'],
  ['user', 'create', 'carol', 'carolpw'],
  ['user', 'disable', 'carol'],
  ['user', 'create', 'dave', 'davepw'],
  ['group', 'add', 'duo-users'],
  ['group', 'add', 'other'],
  ['group', 'addmembers', 'duo-users', 'alice,dave'],
  ['group', 'addmembers', 'other', 'bob'],
  ['user', 'setprimarygroup', 'dave', 'duo-users'],
];

interface TemplateInfo {
  readonly dir: string;
  readonly rids: { readonly duoUsers: number; readonly other: number };
  readonly provisionMs: number;
}

async function templateKey(): Promise<string> {
  const { stdout } = await run('samba', ['--version']);
  return createHash('sha256').update(`${stdout}\n${FIXTURE_VERSION}\n${JSON.stringify(FIXTURE)}`).digest('hex').slice(0, 16);
}

async function groupRid(conf: string, group: string): Promise<number> {
  const { stdout } = await run('samba-tool', ['group', 'show', group, '-s', conf]);
  const sid = /^objectSid: (S-1-[\d-]+)$/m.exec(stdout)?.[1];
  const rid = Number(sid?.split('-').pop());
  if (!Number.isInteger(rid)) throw new Error(`no objectSid for group ${group}`);
  return rid;
}

/** Provisions the domain and the fixture into a fresh directory; returns the group RIDs. */
async function buildTemplate(dir: string): Promise<TemplateInfo['rids']> {
  await run('samba-tool', [
    'domain', 'provision', `--targetdir=${dir}`, `--realm=${REALM}`, `--domain=${DOMAIN}`,
    '--host-name=apdc', '--server-role=dc', '--dns-backend=NONE', '--use-rfc2307',
    `--adminpass=${ADMIN_PW}`, '--option=interfaces = 127.0.0.1', '--option=bind interfaces only = yes',
  ]);
  const conf = join(dir, 'etc', 'smb.conf');
  for (const step of FIXTURE) await run('samba-tool', [...step, '-s', conf]);
  return { duoUsers: await groupRid(conf, 'duo-users'), other: await groupRid(conf, 'other') };
}

/** The provisioned template for this Samba version, built now if missing (once per machine). */
async function ensureTemplate(): Promise<TemplateInfo> {
  const dir = join(TEMPLATE_ROOT, await templateKey());
  const infoFile = join(dir, 'fixture.json');
  if (existsSync(infoFile)) return { dir, rids: JSON.parse(readFileSync(infoFile, 'utf8')), provisionMs: 0 };
  const started = Date.now();
  // Build beside the final place, then rename: concurrent test files never see a half-built template.
  const building = `${dir}.build-${process.pid}-${Date.now()}`;
  mkdirSync(TEMPLATE_ROOT, { recursive: true });
  try {
    const rids = await buildTemplate(building);
    writeFileSync(join(building, 'fixture.json'), JSON.stringify(rids));
    try {
      renameSync(building, dir);
    } catch {
      if (!existsSync(infoFile)) throw new Error(`cannot install Samba template at ${dir}`);
    }
    return { dir, rids, provisionMs: Date.now() - started };
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/** Stops Debian's packaged Samba daemons if they run: they would hold 389/636 on every address. */
async function stopSystemSamba(): Promise<void> {
  const services = ['samba-ad-dc', 'smbd', 'nmbd', 'winbind'];
  const pidFiles = ['samba', 'smbd', 'nmbd', 'winbindd'].map((d) => `/run/samba/${d}.pid`);
  const running = pidFiles.some((f) => existsSync(f) && processAlive(Number(readFileSync(f, 'utf8').trim())));
  if (!running) return;
  const systemd = existsSync('/run/systemd/system');
  for (const svc of services) {
    await run(systemd ? 'systemctl' : 'service', systemd ? ['stop', svc] : [svc, 'stop']).catch(() => undefined);
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Fails with a clear message when something already listens on `ip:port`. */
function assertPortFree(ip: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => reject(new Error(`${ip}:${port} is in use (a system slapd or Samba?): ${err.message}`)));
    probe.listen(port, ip, () => probe.close(() => resolve()));
  });
}

/** Claims a free 127.0.0.N for this instance: `ip addr add` fails if another instance has it. */
async function claimLoopbackAddress(): Promise<string> {
  const first = 20 + ((process.pid * 7 + Date.now()) % 200);
  for (let i = 0; i < 200; i += 1) {
    const ip = `127.0.0.${20 + ((first - 20 + i) % 200)}`;
    try {
      await run('ip', ['addr', 'add', `${ip}/32`, 'dev', 'lo']);
    } catch {
      continue; // taken by another instance (or a leftover): try the next one
    }
    return ip;
  }
  throw new Error('no free 127.0.0.N address for Samba');
}

/**
 * If this test process dies without `stop()`, the common watchdog kills Samba; this one then
 * gives the loopback address back. After a normal `stop()` it just ends.
 */
function releaseAddressWhenOrphaned(ip: string, pgid: number): void {
  const script =
    'while kill -0 "$1" 2>/dev/null && kill -0 -"$2" 2>/dev/null; do sleep 1; done; ' +
    'kill -0 "$1" 2>/dev/null || ip addr del "$3/32" dev lo 2>/dev/null';
  const dog = spawn('sh', ['-c', script, 'samba-address', String(process.pid), String(pgid), ip], { detached: true, stdio: 'ignore' });
  dog.on('error', () => undefined);
  dog.unref();
}

function smbConf(dir: string, ip: string, tls: { key: string; cert: string; ca: string }): string {
  return `[global]
\tnetbios name = APDC
\trealm = ${REALM}
\tworkgroup = ${DOMAIN}
\tserver role = active directory domain controller
\tserver services = ldap
\tinterfaces = ${ip}
\tbind interfaces only = yes
\tprefork children = 2
\tprivate dir = ${dir}/private
\tlock directory = ${dir}
\tstate directory = ${dir}/state
\tcache directory = ${dir}/cache
\tbinddns dir = ${dir}/bind-dns
\tpid directory = ${dir}/run
\tncalrpc dir = ${dir}/run/ncalrpc
\tlog file = ${dir}/samba.log
\tldap server require strong auth = no
\ttls enabled = yes
\ttls keyfile = ${tls.key}
\ttls certfile = ${tls.cert}
\ttls cafile = ${tls.ca}
\tidmap_ldb:use rfc2307 = yes
`;
}

async function rootDseAnswers(url: string): Promise<boolean> {
  const client = new Client({ url, connectTimeout: 1000, timeout: 2000 });
  try {
    await client.search('', { scope: 'base', attributes: ['defaultNamingContext'] });
    return true;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/**
 * Starts a throwaway Samba AD DC on its own loopback address and waits until LDAP answers.
 * The first call on a machine provisions the template (a few seconds); later calls copy it.
 */
export async function startSambaAd(opts: SambaAdOptions = {}): Promise<SambaAdHandle> {
  if (process.getuid?.() !== 0) throw new Error('the Samba AD DC harness must run as root');
  await stopSystemSamba();
  const template = await ensureTemplate();
  const started = Date.now();
  const dir = opts.dir ?? makeTempDir('samba');
  rmSync(dir, { recursive: true, force: true });
  await run('cp', ['-a', template.dir, dir]);
  const ip = await claimLoopbackAddress();
  let daemon: Daemon | undefined;
  const cleanup = async (): Promise<void> => {
    await daemon?.stop();
    await run('ip', ['addr', 'del', `${ip}/32`, 'dev', 'lo']).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await assertPortFree(ip, 389);
    await assertPortFree(ip, 636);
    daemon = await launch(dir, ip);
  } catch (err) {
    await cleanup();
    throw err;
  }
  const running = daemon;
  releaseAddressWhenOrphaned(ip, running.pid);
  return {
    ip, url: `ldap://${ip}:389`, ldapsUrl: `ldaps://${ip}:636`, port: 389, ldapsPort: 636,
    caFile: join(dir, 'tls', 'ca.crt'), baseDn: BASE_DN, realm: REALM, domain: DOMAIN,
    admin: user('Administrator', ADMIN_PW),
    serviceAccount: user('svc-duo', 'svcpw'),
    users: { alice: user('alice', 'alicepw'), bob: user('bob', 'bobpw'), carol: user('carol', 'carolpw'), dave: user('dave', 'davepw') },
    groups: {
      duoUsers: { dn: `CN=duo-users,CN=Users,${BASE_DN}`, rid: template.rids.duoUsers },
      other: { dn: `CN=other,CN=Users,${BASE_DN}`, rid: template.rids.other },
    },
    provisionMs: template.provisionMs, startMs: Date.now() - started, dir,
    log: () => readFileSync(running.logFile, 'utf8'),
    stop: cleanup,
    kill: async () => {
      await running.kill();
    },
  };
}

async function launch(dir: string, ip: string): Promise<Daemon> {
  const ca = createTestCa(join(dir, 'tls'), { hosts: [ip, 'localhost'] });
  chmodSync(ca.keyPath, 0o600); // Samba refuses a private key others can read
  mkdirSync(join(dir, 'run'), { recursive: true });
  const conf = join(dir, 'etc', 'smb.conf');
  writeFileSync(conf, smbConf(dir, ip, { key: ca.keyPath, cert: ca.certPath, ca: ca.caCertPath }));
  const daemon = await startDaemon('samba', ['-i', '-s', conf], { logFile: join(dir, 'samba.out') });
  const url = `ldap://${ip}:389`;
  try {
    await waitFor(() => rootDseAnswers(url), {
      what: `Samba AD on ${url}`,
      timeoutMs: 60_000,
      intervalMs: 100,
      failed: () => (daemon.running ? undefined : `samba exited; see ${daemon.logFile}`),
    });
  } catch (err) {
    await daemon.kill();
    throw err;
  }
  return daemon;
}
