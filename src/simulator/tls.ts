/**
 * The simulator's own certificate authority and HTTPS server certificate, made with the `openssl`
 * command (child_process) on first start and kept in the state dir: `ca.crt`/`ca.key` (10 years)
 * and `server.crt`/`server.key` (SAN 127.0.0.1 + localhost + the bind host, 825 days). The proxy
 * trusts the simulator through `[main] http_ca_certs_file = <state dir>/ca.crt`. The server
 * certificate is re-issued (same CA) when it expires within a day or lacks a needed name.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { AuthproxyError } from '../errors.js';

/** PEM texts and paths the HTTPS server and the proxy config need. */
export interface SimulatorTls {
  readonly caCertPath: string;
  readonly caCertPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

const DAY_MS = 86_400_000;
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'] as const;

/** Names the server certificate must cover: 127.0.0.1, localhost and a specific bind address. */
export function certificateHosts(bindHost: string): string[] {
  const hosts = ['127.0.0.1', 'localhost'];
  const wildcard = bindHost === '0.0.0.0' || bindHost === '::' || bindHost === '';
  if (!wildcard && !hosts.includes(bindHost)) hosts.push(bindHost);
  return hosts;
}

/** Loads the CA and server certificate from `stateDir`, creating or renewing what is missing. */
export function loadOrCreateTls(stateDir: string, hosts: readonly string[]): SimulatorTls {
  const p = (f: string): string => join(stateDir, f);
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    if (!existsSync(p('ca.crt')) || !existsSync(p('ca.key'))) createCa(stateDir);
    if (!serverCertUsable(stateDir, hosts)) createServerCert(stateDir, hosts);
    for (const key of ['ca.key', 'server.key']) chmodSync(p(key), 0o600);
    return {
      caCertPath: p('ca.crt'),
      caCertPem: readFileSync(p('ca.crt'), 'utf8'),
      certPem: readFileSync(p('server.crt'), 'utf8'),
      keyPem: readFileSync(p('server.key'), 'utf8'),
    };
  } catch (err) {
    if (err instanceof AuthproxyError) throw err;
    throw new AuthproxyError('AP_ERR_SIMULATOR_SETUP', `cannot create the simulator's certificates in '${stateDir}': ${reason(err)}`, { cause: err });
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] ?? 'unknown error' : String(err);
}

function openssl(args: readonly string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AuthproxyError('AP_ERR_SIMULATOR_SETUP', 'openssl not found: the push simulator needs the openssl command to make its certificates (Debian: apt-get install openssl)', { cause: err });
    }
    throw err;
  }
}

function createCa(dir: string): void {
  openssl(
    ['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650',
      '-subj', '/CN=authproxy push simulator CA', '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
  rmSync(join(dir, 'server.crt'), { force: true });
}

function serverCertUsable(dir: string, hosts: readonly string[]): boolean {
  const file = join(dir, 'server.crt');
  if (!existsSync(file) || !existsSync(join(dir, 'server.key'))) return false;
  try {
    const cert = new X509Certificate(readFileSync(file));
    const ca = new X509Certificate(readFileSync(join(dir, 'ca.crt')));
    if (!cert.verify(ca.publicKey)) return false;
    if (Date.parse(cert.validTo) - Date.now() < DAY_MS) return false;
    return hosts.every((h) => (isIP(h) ? cert.checkIP(h) !== undefined : cert.checkHost(h) !== undefined));
  } catch {
    return false;
  }
}

function createServerCert(dir: string, hosts: readonly string[]): void {
  const san = hosts.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  openssl(['req', '-new', ...EC, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${hosts[0] ?? 'localhost'}`], dir);
  writeFileSync(
    join(dir, 'server.ext'),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', 'server.crt', '-days', '825', '-extfile', 'server.ext'],
    dir,
  );
  for (const f of ['server.csr', 'server.ext']) rmSync(join(dir, f), { force: true });
}
