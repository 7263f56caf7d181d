/**
 * The comparison peer: a second, throwaway FreeRADIUS configured as a pure RADIUS proxy (one
 * home_server in a fail-over home_server_pool, every request sent to it via Proxy-To-Realm) in
 * front of the same upstream FreeRADIUS our proxy uses. Built like test/harness/freeradius.ts:
 * the stock config from /etc/freeradius/3.0 copied into a temp dir, all sites replaced by ours.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeUdpPort, makeTempDir, startDaemon, waitFor, type Daemon } from '../test/harness/common.js';
import { firstAnswer } from './probe.js';

const exec = promisify(execFile);
const STOCK_CONFIG = '/etc/freeradius/3.0';
const HOST = '127.0.0.1';

/** Where the proxy forwards to, and the secret its NASes use. */
export interface FreeRadiusProxyOptions {
  readonly upstream: { readonly host: string; readonly port: number; readonly secret: string };
  readonly nasSecret: string;
  /** A login the upstream answers, used as the readiness probe. */
  readonly probeLogin: { readonly user: string; readonly password: string };
}

/** A running FreeRADIUS proxy. */
export interface FreeRadiusProxy {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

function site(port: number): string {
  return `server bench_proxy {
  listen {
    type = auth
    ipaddr = ${HOST}
    port = ${port}
    recv_buff = 4194304
  }
  authorize {
    update control {
      &Proxy-To-Realm := "upstream"
    }
  }
  authenticate {
  }
  pre-proxy {
  }
  post-proxy {
  }
  post-auth {
  }
}
`;
}

function proxyConf(o: FreeRadiusProxyOptions): string {
  return `proxy server {
  default_fallback = no
}
home_server upstream1 {
  type = auth
  ipaddr = ${o.upstream.host}
  port = ${o.upstream.port}
  secret = ${o.upstream.secret}
  response_window = 20
  zombie_period = 40
  revive_interval = 120
  status_check = none
  max_outstanding = 65536
}
home_server_pool upstream_pool {
  type = fail-over
  home_server = upstream1
}
realm upstream {
  auth_pool = upstream_pool
  nostrip
}
`;
}

function clientsConf(secret: string): string {
  return `client localhost {
  ipaddr = ${HOST}
  secret = ${secret}
  require_message_authenticator = no
  nas_type = other
}
`;
}

async function prepare(dir: string, port: number, o: FreeRadiusProxyOptions): Promise<string> {
  const raddb = join(dir, 'raddb');
  mkdirSync(join(dir, 'log'));
  mkdirSync(join(dir, 'run'));
  cpSync(STOCK_CONFIG, raddb, { recursive: true, verbatimSymlinks: true });
  const conf = join(raddb, 'radiusd.conf');
  let text = readFileSync(conf, 'utf8')
    .replace(/^raddbdir = .*$/m, `raddbdir = ${raddb}`)
    .replace(/^logdir = .*$/m, `logdir = ${join(dir, 'log')}`)
    .replace(/^run_dir = .*$/m, `run_dir = ${join(dir, 'run')}`)
    .replace(/^(\s*reject_delay\s*=).*$/m, '$1 0');
  if (process.getuid?.() !== 0) text = text.replace(/^(\s*)(user|group) = freerad$/gm, '$1# $2 = freerad');
  writeFileSync(conf, text);
  for (const f of readdirSync(join(raddb, 'sites-enabled'))) rmSync(join(raddb, 'sites-enabled', f));
  rmSync(join(raddb, 'mods-enabled', 'eap'), { force: true });
  writeFileSync(join(raddb, 'sites-enabled', 'bench-proxy'), site(port));
  writeFileSync(join(raddb, 'proxy.conf'), proxyConf(o));
  writeFileSync(join(raddb, 'clients.conf'), clientsConf(o.nasSecret));
  if (process.getuid?.() === 0) await exec('chown', ['-R', 'freerad:freerad', dir]);
  return raddb;
}

async function launch(dir: string, raddb: string, port: number, o: FreeRadiusProxyOptions): Promise<Daemon> {
  const daemon = await startDaemon('freeradius', ['-f', '-l', join(dir, 'radiusd.log'), '-d', raddb], { logFile: join(dir, 'stdout.log') });
  const probe = { host: HOST, port, secret: o.nasSecret, login: o.probeLogin, intervalMs: 100, timeoutMs: 500 };
  try {
    await waitFor(() => firstAnswer(probe).then(() => true), {
      what: `freeradius proxy on ${HOST}:${port}`,
      timeoutMs: 20_000,
      failed: () => (daemon.running ? undefined : `exited:\n${readFileSync(join(dir, 'stdout.log'), 'utf8').slice(-2000)}`),
    });
  } catch (err) {
    await daemon.kill();
    throw err;
  }
  return daemon;
}

/** Starts the FreeRADIUS proxy; resolves once a login through it is answered. */
export async function startFreeRadiusProxy(o: FreeRadiusProxyOptions): Promise<FreeRadiusProxy> {
  const dir = makeTempDir('bench-frproxy');
  try {
    const port = await freeUdpPort(HOST);
    const raddb = await prepare(dir, port, o);
    const daemon = await launch(dir, raddb, port, o);
    return {
      host: HOST,
      port,
      pid: daemon.pid,
      stop: async () => {
        await daemon.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
