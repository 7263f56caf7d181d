/**
 * A throwaway certificate authority for tests that need real TLS (the fake Duo API, LDAPS, …).
 * Keys and certificates are generated with the `openssl` command line tool into a directory the
 * caller owns (usually an `mkdtemp` directory removed in `afterAll`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

/** What {@link createTestCa} should issue. */
export interface TestCaOptions {
  /** Names and IP addresses the server certificate is valid for, e.g. `['127.0.0.1', 'localhost']`. */
  readonly hosts: readonly string[];
  /** Subject CN of the server certificate; default the first host. */
  readonly commonName?: string;
  /** Validity in days (default 2). */
  readonly days?: number;
}

/** Paths and PEM texts of a generated CA and one server certificate signed by it. */
export interface TestCa {
  readonly dir: string;
  readonly caCertPath: string;
  readonly caCertPem: string;
  readonly caKeyPath: string;
  readonly certPath: string;
  readonly certPem: string;
  readonly keyPath: string;
  readonly keyPem: string;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** `subjectAltName` value for the hosts: `IP:` for addresses, `DNS:` for names. */
export function subjectAltName(hosts: readonly string[]): string {
  return hosts.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
}

/**
 * Generates (with `openssl`, EC P-256) a self-signed CA and a server certificate for `hosts`,
 * signed by that CA, into `dir` (created if missing). Synchronous; takes well under a second.
 */
export function createTestCa(dir: string, opts: TestCaOptions): TestCa {
  if (opts.hosts.length === 0) throw new Error('createTestCa needs at least one host');
  mkdirSync(dir, { recursive: true });
  const days = String(opts.days ?? 2);
  const cn = opts.commonName ?? opts.hosts[0] ?? 'localhost';
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', days,
      '-subj', '/CN=authproxy test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
  openssl(['req', '-new', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${cn}`], dir);
  writeFileSync(
    join(dir, 'server.ext'),
    `subjectAltName=${subjectAltName(opts.hosts)}\nbasicConstraints=CA:FALSE\n` +
      'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', 'server.crt', '-days', days, '-extfile', 'server.ext'],
    dir,
  );
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    caCertPath: join(dir, 'ca.crt'),
    caCertPem: read('ca.crt'),
    caKeyPath: join(dir, 'ca.key'),
    certPath: join(dir, 'server.crt'),
    certPem: read('server.crt'),
    keyPath: join(dir, 'server.key'),
    keyPem: read('server.key'),
  };
}
