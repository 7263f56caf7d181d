/**
 * The benchmark environment on loopback: the upstream FreeRADIUS (test/harness/freeradius.ts),
 * the FreeRADIUS proxy to compare with, the fake Duo API and the load generator as processes,
 * and our proxy (started and stopped per scenario).
 *
 * CPU split on this 2-core machine (taskset): the proxy under test — ours or FreeRADIUS's —
 * alone on CPU 1; the load generator, the upstream FreeRADIUS and the fake Duo API on CPU 0.
 * Each contender gets exactly one core, and the CPU meter shows whether CPU 0 kept up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeUdpPort, makeTempDir } from '../test/harness/common.js';
import { startFreeRadius, type FreeRadiusHandle } from '../test/harness/freeradius.js';
import { startFreeRadiusProxy, type FreeRadiusProxy } from './freeradius-proxy.js';
import { type NodeChild, pinProcess, scriptPath, spawnNode } from './procs.js';
import type { Login } from './wire.js';

/** CPU of the proxy under test. */
export const PROXY_CPU = '1';
/** CPU of the load generator and the peers. */
export const PEER_CPU = '0';
/** Secret between the simulated NASes and both proxies. */
export const NAS_SECRET = 'bench-nas-secret';
/** Every user's password at the upstream FreeRADIUS. */
export const PASSWORD = 'benchpw';
/** The user exempt from 2FA (`exempt_username_1`). */
export const EXEMPT: Login = { user: 'benchexempt', password: PASSWORD };

/** The fake Duo API child's address and credentials. */
export interface DuoInfo {
  readonly host: string;
  readonly port: number;
  readonly caCertPath: string;
  readonly ikey: string;
  readonly skey: string;
}

/** Our proxy, started with `authproxyctl start` (a daemon). */
export interface OurProxy {
  /** The daemon's pid (from its pidfile); 0 until known. */
  readonly pid: number;
  readonly port: number;
  /** Epoch ms when `authproxyctl start` was spawned. */
  readonly spawnedAt: number;
  /** Resolves when `authproxyctl start` has returned (the daemon listens). */
  readonly started: Promise<void>;
  /** `authproxyctl stop` (waits until the daemon has exited). */
  stop(): Promise<void>;
}

/** Options for one start of our proxy. */
export interface ProxyStartOptions {
  /**
   * Node flags for the proxy process, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS): the proxy
   * is then run as `node <flags> authproxyctl run` in the background instead of `start`.
   */
  readonly execArgv?: readonly string[];
}

const AUTHPROXYCTL = fileURLToPath(new URL('../../bin/authproxyctl', import.meta.url));
/** Where diagnostics of runs with node flags go (the repository's ignored .tmp/). */
const PROFILE_TMP = fileURLToPath(new URL('../../.tmp', import.meta.url));

/** Spawns `node [execArgv] authproxyctl <args>` pinned to `cpus` (inherited by the daemon). */
function spawnCtl(args: readonly string[], cpus: string, execArgv: readonly string[] = [], stdout: 'ignore' | number = 'ignore'): ChildProcess {
  const argv = [process.execPath, ...execArgv, AUTHPROXYCTL, ...args];
  const stdio: ['ignore', 'ignore' | number, 'pipe'] = ['ignore', stdout, 'pipe'];
  return existsSync('/usr/bin/taskset') ? spawn('taskset', ['-c', cpus, ...argv], { stdio }) : spawn(argv[0]!, argv.slice(1), { stdio });
}

/** Runs `authproxyctl <args>` to completion; rejects on a non-zero exit. */
function authproxyctl(args: readonly string[], cpus: string): Promise<void> {
  const child = spawnCtl(args, cpus);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`authproxyctl ${args[0]} exited ${code}: ${err.trim()}`))));
  });
}

function readPid(pidfile: string): number {
  try {
    return Number(readFileSync(pidfile, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

/** Everything the scenarios use. */
export class BenchEnv {
  private constructor(
    readonly dir: string,
    readonly upstream: FreeRadiusHandle,
    readonly frProxy: FreeRadiusProxy,
    readonly duo: NodeChild,
    readonly duoInfo: DuoInfo,
    readonly loadgen: NodeChild,
  ) {}

  /** Starts the peers and the load generator. */
  static async start(): Promise<BenchEnv> {
    const dir = makeTempDir('bench');
    // FreeRADIUS 3.2.1 as a proxy does not add Message-Authenticator to the requests it forwards,
    // so the shared upstream must accept requests without one (ours always sends it).
    const upstream = await startFreeRadius({ users: `DEFAULT Cleartext-Password := "${PASSWORD}"\n`, requireMessageAuthenticator: false });
    await pinProcess(upstream.pid, PEER_CPU);
    const up = { host: upstream.host, port: upstream.port, secret: upstream.secret };
    const frProxy = await startFreeRadiusProxy({ upstream: up, nasSecret: NAS_SECRET, probeLogin: EXEMPT });
    await pinProcess(frProxy.pid, PROXY_CPU);
    const duo = spawnNode(scriptPath('duo-child.js'), [], { cpus: PEER_CPU });
    const loadgen = spawnNode(scriptPath('loadgen-child.js'), [], { cpus: PEER_CPU });
    const duoInfo = (await duo.ready) as unknown as DuoInfo;
    await loadgen.ready;
    return new BenchEnv(dir, upstream, frProxy, duo, duoInfo, loadgen);
  }

  /** The `authproxy.cfg` of our proxy for this environment. */
  config(port: number, logDir: string): string {
    const d = this.duoInfo;
    return `[main]
http_ca_certs_file=${d.caCertPath}
log_dir=${logDir}

[radius_client]
host=${this.upstream.host}
port=${this.upstream.port}
secret=${this.upstream.secret}

[radius_server_auto]
ikey=${d.ikey}
skey=${d.skey}
api_host=${d.host}
api_port=${d.port}
radius_ip_1=127.0.0.1
radius_secret_1=${NAS_SECRET}
interface=127.0.0.1
port=${port}
client=radius_client
failmode=secure
exempt_username_1=${EXEMPT.user}
`;
  }

  /** Writes a fresh config and runs `authproxyctl start` on CPU 1 (without waiting for it). */
  async startProxy(opts: ProxyStartOptions = {}): Promise<OurProxy> {
    const port = await freeUdpPort();
    const install = join(this.dir, `proxy-${port}`);
    mkdirSync(join(install, 'conf'), { recursive: true });
    const cfg = join(install, 'conf', 'authproxy.cfg');
    const pidfile = join(install, 'run', 'authproxy.pid');
    writeFileSync(cfg, this.config(port, join(install, 'log')));
    const spawnedAt = performance.timeOrigin + performance.now();
    const started = opts.execArgv ? this.runInBackground(cfg, pidfile, port, opts.execArgv) : authproxyctl(['start', '--config', cfg, '--pidfile', pidfile], PROXY_CPU);
    started.catch(() => undefined);
    return {
      get pid() {
        return readPid(pidfile);
      },
      port,
      spawnedAt,
      started,
      stop: async () => {
        await started.catch(() => undefined);
        await authproxyctl(['stop', '--pidfile', pidfile], PROXY_CPU);
        rmSync(install, { recursive: true, force: true });
      },
    };
  }

  /** `node <execArgv> authproxyctl run …` in the background; resolves once a login is answered. */
  private async runInBackground(cfg: string, pidfile: string, port: number, execArgv: readonly string[]): Promise<void> {
    // The process's stdout (e.g. --trace-gc output) goes to <install>/stdout.log, kept in .tmp/.
    mkdirSync(PROFILE_TMP, { recursive: true });
    const out = openSync(join(PROFILE_TMP, `proxy-${port}.stdout.log`), 'w');
    const child = spawnCtl(['run', '--config', cfg, '--pidfile', pidfile], PROXY_CPU, execArgv, out);
    closeSync(out);
    child.stderr?.resume(); // stdio pipe: never null
    const spec = { host: '127.0.0.1', port, secret: NAS_SECRET, login: EXEMPT, intervalMs: 20, timeoutMs: 20_000 };
    await this.loadgen.request({ kind: 'probe', spec });
  }

  /** Stops everything. */
  async stop(): Promise<void> {
    await Promise.allSettled([this.loadgen.stop(), this.duo.stop(), this.frProxy.stop(), this.upstream.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
