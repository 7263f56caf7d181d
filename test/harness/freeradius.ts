/**
 * A throwaway FreeRADIUS 3.2 (Debian's `freeradius`) on 127.0.0.1, built for each test file: the
 * stock config is copied from /etc/freeradius/3.0 into a temp dir, all sites are replaced by one
 * small site (loopback only, a free port, `reject_delay = 0`), with our own clients.conf and users
 * file. EAP (and its test CA, ~1.5 s to generate) only with `eap: true`.
 *
 * Default users (see {@link DEFAULT_USERS}):
 * - alice/alicepw → Access-Accept with Reply-Message "Hello alice", Class "alice", Filter-Id "staff",
 *   Juniper-Local-User-Name "superuser" and PaloAlto-Admin-Role "fw-admin" (vendor attributes)
 * - bob/bobpw → Access-Accept without Reply-Message
 * - carol/carolpw → Access-Challenge (Reply-Message "Enter your code", State "chall");
 *   then carol/123456 with that State → Access-Accept ("code accepted")
 * - slow/<any> → no answer at all (Do-Not-Respond)
 * - locked/<any> → Access-Reject with Reply-Message "Account locked"
 * - anyone else, or a wrong password → bare Access-Reject
 *
 * With `requireMessageAuthenticator` (default true) FreeRADIUS silently drops requests from
 * 127.0.0.1 that carry no Message-Authenticator, which proves ours (always sent) is right.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { encodeAccessRequest, checkReply, textAttribute } from '../../src/radius/access-request.js';
import { Attr } from '../../src/radius/dictionary.js';
import { freeUdpPort, makeTempDir, startDaemon, waitFor, type Daemon } from './common.js';

const exec = promisify(execFile);

const HOST = '127.0.0.1';
const STOCK_CONFIG = '/etc/freeradius/3.0';

/** The default users file (FreeRADIUS `files` module syntax). First match wins. */
export const DEFAULT_USERS = `alice   Cleartext-Password := "alicepw"
        Reply-Message := "Hello alice",
        Class := 0x616c696365,
        Filter-Id := "staff",
        Juniper-Local-User-Name := "superuser",
        PaloAlto-Admin-Role := "fw-admin"

bob     Cleartext-Password := "bobpw"

# 2nd round of the challenge: State echoed back + OTP
carol   State == 0x6368616c6c, Cleartext-Password := "123456"
        Reply-Message := "code accepted"

# 1st round: the right password gets an Access-Challenge (see Auth-Type PAP in the site)
carol   Cleartext-Password := "carolpw", Tmp-String-0 := "challenge"
        Reply-Message := "Enter your code",
        State := 0x6368616c6c

locked  Auth-Type := Reject, Tmp-String-1 := "keep-reply"
        Reply-Message := "Account locked"

slow    Response-Packet-Type := Do-Not-Respond, Auth-Type := Accept
`;

/** The State value of carol's challenge. */
export const CAROL_STATE = Buffer.from('chall');

/** Options of {@link startFreeRadius}. */
export interface FreeRadiusOptions {
  /** Users file text (default {@link DEFAULT_USERS}). */
  readonly users?: string;
  /** Shared secret for 127.0.0.1 (default `testing123`). */
  readonly secret?: string;
  /** Enable EAP with a generated test CA (slower start). */
  readonly eap?: boolean;
  /** Drop requests without Message-Authenticator (default true). */
  readonly requireMessageAuthenticator?: boolean;
}

/** A running throwaway FreeRADIUS. */
export interface FreeRadiusHandle {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
  readonly pid: number;
  /** Working directory (raddb copy, logs). */
  readonly dir: string;
  /** With `eap: true`: the test CA that signed the EAP server certificate (for eapol_test). */
  readonly caFile: string | undefined;
  /** The radiusd log so far (one `Auth: (n) Login OK/incorrect …` line per request). */
  log(): string;
  /** SIGTERM, wait, remove the directory. */
  stop(): Promise<void>;
  /** SIGKILL (a crash); the directory stays until {@link stop}. */
  kill(): Promise<void>;
}

function siteConfig(port: number, eap: boolean): string {
  return `server default {
  listen {
    type = auth
    ipaddr = ${HOST}
    port = ${port}
    recv_buff = 4194304
  }
  authorize {
    filter_username
    preprocess
    chap
    mschap
    ${eap ? 'eap {\n      ok = return\n    }' : ''}
    files
    pap
  }
  authenticate {
    Auth-Type PAP {
      pap
      # Reached only when pap said ok; users tagged Tmp-String-0 := "challenge" answer a Challenge.
      if (&control:Tmp-String-0 == "challenge") {
        update control {
          &Response-Packet-Type := Access-Challenge
        }
      }
    }
    Auth-Type CHAP {
      chap
    }
    Auth-Type MS-CHAP {
      mschap
    }
    ${eap ? 'eap' : ''}
  }
  post-auth {
    Post-Auth-Type REJECT {
      # users-file reply items are added before the password is checked: strip them from rejects
      # unless the entry is tagged keep-reply (user "locked").
      if (!&control:Tmp-String-1 || (&control:Tmp-String-1 != "keep-reply")) {
        update reply {
          &Reply-Message !* ANY
        }
      }
      update reply {
        &State !* ANY
      }
      attr_filter.access_reject
    }
  }
}
`;
}

function clientsConfig(secret: string, requireMa: boolean): string {
  return `client localhost {
  ipaddr = ${HOST}
  secret = ${secret}
  require_message_authenticator = ${requireMa ? 'yes' : 'no'}
  nas_type = other
}
`;
}

/** Copies the stock config and rewrites it for this instance. */
async function prepareConfig(dir: string, port: number, opts: Required<FreeRadiusOptions>): Promise<string> {
  const raddb = join(dir, 'raddb');
  mkdirSync(join(dir, 'log'));
  mkdirSync(join(dir, 'run'));
  cpSync(STOCK_CONFIG, raddb, { recursive: true, verbatimSymlinks: true }); // keeps the relative mods-enabled symlinks
  const conf = join(raddb, 'radiusd.conf');
  let text = readFileSync(conf, 'utf8')
    .replace(/^raddbdir = .*$/m, `raddbdir = ${raddb}`)
    .replace(/^logdir = .*$/m, `logdir = ${join(dir, 'log')}`)
    .replace(/^run_dir = .*$/m, `run_dir = ${join(dir, 'run')}`)
    .replace(/^(\s*reject_delay\s*=).*$/m, '$1 0') // default 1: every Access-Reject waits 1 s
    .replace(/^(\s*auth\s*=) no$/m, '$1 yes'); // one "Auth: (n) Login OK/incorrect" line per request
  if (process.getuid?.() !== 0) text = text.replace(/^(\s*)(user|group) = freerad$/gm, '$1# $2 = freerad');
  writeFileSync(conf, text);
  for (const f of readdirSync(join(raddb, 'sites-enabled'))) rmSync(join(raddb, 'sites-enabled', f));
  if (!opts.eap) rmSync(join(raddb, 'mods-enabled', 'eap'), { force: true });
  else await enableEap(raddb);
  writeFileSync(join(raddb, 'sites-enabled', 'test'), siteConfig(port, opts.eap));
  writeFileSync(join(raddb, 'clients.conf'), clientsConfig(opts.secret, opts.requireMessageAuthenticator));
  writeFileSync(join(raddb, 'mods-config', 'files', 'authorize'), opts.users);
  if (process.getuid?.() === 0) await exec('chown', ['-R', 'freerad:freerad', dir]); // radiusd drops to freerad
  return raddb;
}

/** EAP needs certificates: the bundled Makefile makes a test CA; inner tunnel on a free port. */
async function enableEap(raddb: string): Promise<void> {
  await exec('make', ['-C', join(raddb, 'certs')], { timeout: 60_000 });
  const eap = join(raddb, 'mods-available', 'eap');
  writeFileSync(
    eap,
    readFileSync(eap, 'utf8')
      .replace(/^(\s*private_key_file\s*=).*$/gm, '$1 ${certdir}/server.key')
      .replace(/^(\s*certificate_file\s*=).*$/gm, '$1 ${certdir}/server.pem')
      .replace(/^(\s*ca_file\s*=).*$/gm, '$1 ${cadir}/ca.pem'),
  );
  const inner = readFileSync(join(raddb, 'sites-available', 'inner-tunnel'), 'utf8');
  writeFileSync(join(raddb, 'sites-enabled', 'inner-tunnel'), inner.replace('port = 18120', `port = ${await freeUdpPort()}`));
}

/** One Access-Request with Message-Authenticator; true when a verified reply of any code comes back. */
function probe(port: number, secret: string, timeoutMs = 300): Promise<boolean> {
  const socket = createSocket('udp4');
  const packet = encodeAccessRequest({
    identifier: 0,
    secret: Buffer.from(secret),
    attributes: [textAttribute(Attr.UserName, 'readiness-probe')],
    password: Buffer.from('x'),
  });
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('message', (msg) => done(checkReply(msg, { identifier: 0, authenticator: packet.subarray(4, 20) }, Buffer.from(secret)).ok));
    socket.send(packet, port, HOST);
  });
}

async function launch(dir: string, raddb: string, port: number, secret: string): Promise<Daemon> {
  const logFile = join(dir, 'stdout.log');
  const daemon = await startDaemon('freeradius', ['-f', '-l', join(dir, 'radiusd.log'), '-d', raddb], { logFile });
  const tail = (): string => `${safeRead(join(dir, 'radiusd.log'))}\n${safeRead(logFile)}`.trim().split('\n').slice(-20).join('\n');
  try {
    await waitFor(() => probe(port, secret), {
      what: `freeradius on ${HOST}:${port}`,
      timeoutMs: 20_000,
      failed: () => (daemon.running ? undefined : `exited:\n${tail()}`),
    });
  } catch (err) {
    await daemon.kill();
    throw err;
  }
  return daemon;
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Starts FreeRADIUS and resolves once it answers a probe (retries on a port collision). */
export async function startFreeRadius(options: FreeRadiusOptions = {}): Promise<FreeRadiusHandle> {
  const opts: Required<FreeRadiusOptions> = {
    users: options.users ?? DEFAULT_USERS,
    secret: options.secret ?? 'testing123',
    eap: options.eap ?? false,
    requireMessageAuthenticator: options.requireMessageAuthenticator ?? true,
  };
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = makeTempDir('freeradius');
    const port = await freeUdpPort(HOST);
    try {
      const raddb = await prepareConfig(dir, port, opts);
      const daemon = await launch(dir, raddb, port, opts.secret);
      return handle(dir, port, opts.secret, daemon, opts.eap ? join(raddb, 'certs', 'ca.pem') : undefined);
    } catch (err) {
      lastError = err;
      rmSync(dir, { recursive: true, force: true });
    }
  }
  throw lastError;
}

function handle(dir: string, port: number, secret: string, daemon: Daemon, caFile: string | undefined): FreeRadiusHandle {
  return {
    host: HOST,
    port,
    secret,
    pid: daemon.pid,
    dir,
    caFile,
    log: () => safeRead(join(dir, 'radiusd.log')),
    stop: async () => {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    kill: async () => {
      await daemon.kill();
    },
  };
}
