/**
 * Generic helpers for test harnesses that run real peers (slapd, Samba AD, FreeRADIUS…) on
 * loopback: free ports from the OS, running a command to completion, supervising a daemon in its
 * own process group (so forked children die with it), and polling until a peer is ready.
 *
 * Every daemon started here is also killed (SIGKILL to its process group) when the test process
 * exits — by an exit hook, and by a watchdog for the case that the process is killed or crashes —
 * so a crashed or interrupted test file does not leave peers behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Asks the OS for a currently free TCP port on `host` (listen on port 0, read it, close). */
export async function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port from the OS');
  return address.port;
}

/** Asks the OS for a currently free UDP port on `host` (bind port 0, read it, close). */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, resolve);
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** A fresh private directory under the OS temp dir, e.g. `/tmp/authproxy-slapd-XXXXXX`. */
export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `authproxy-${prefix}-`));
}

/** Output of a command that ran to completion. */
export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Options for {@link run}. */
export interface RunOptions {
  readonly input?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the command after this many ms (default 120 000). */
  readonly timeoutMs?: number;
}

/**
 * Runs `cmd args` to completion. Rejects with an error naming the command, its exit status and
 * the tail of its stderr when it exits non-zero, cannot be started, or times out.
 */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout, stderr });
      const tail = (stderr || stdout).trim().split('\n').slice(-15).join('\n');
      reject(new Error(`${cmd} ${args.join(' ')} failed (${code ?? signal}):\n${tail}`));
    });
    child.stdin.on('error', () => undefined); // EPIPE when the command exits without reading its input
    child.stdin.end(opts.input ?? '');
  });
}

/** How a supervised daemon ended. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A daemon started by {@link startDaemon}. */
export interface Daemon {
  /** Process id of the daemon (also its process group id). */
  readonly pid: number;
  /** Path of the file receiving the daemon's stdout and stderr. */
  readonly logFile: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** True until the process has exited. */
  readonly running: boolean;
  /** SIGTERM to the process group, SIGKILL after `graceMs` (default 5000); resolves on exit. */
  stop(graceMs?: number): Promise<ExitInfo>;
  /** SIGKILL to the process group (a crash, as far as the peer's clients can tell); resolves on exit. */
  kill(): Promise<ExitInfo>;
}

/** Options for {@link startDaemon}. */
export interface DaemonOptions {
  /** File that receives stdout and stderr (appended). */
  readonly logFile: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts a long-running daemon in the foreground mode of the peer (e.g. `slapd -d`, `samba -i`,
 * `freeradius -f`) as the leader of a new process group, with output going to `logFile`.
 * Resolves once the process has been spawned; readiness is the caller's business ({@link waitFor}).
 */
export async function startDaemon(cmd: string, args: readonly string[], opts: DaemonOptions): Promise<Daemon> {
  installExitHook();
  const out = createWriteStream(opts.logFile, { flags: 'a' });
  await new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', reject);
  });
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ['ignore', out, out] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => reject(new Error(`cannot start ${cmd}: ${err.message}`)));
  });
  out.close();
  if (child.pid !== undefined) startWatchdog(child.pid);
  return supervise(child, opts.logFile);
}

/**
 * The exit hook does not run when the test process is killed by a signal or crashes, so a small
 * shell loop, outside our process group, kills the daemon's group once this process is gone. It
 * ends by itself as soon as the daemon's group is gone.
 */
function startWatchdog(pgid: number): void {
  const script =
    'while kill -0 "$1" 2>/dev/null && kill -0 -"$2" 2>/dev/null; do sleep 1; done; kill -9 -"$2" 2>/dev/null';
  // POSIX sh (dash): `kill -9 -PGID` signals the group; dash's kill knows no `--`.
  const dog = spawn('sh', ['-c', script, 'watchdog', String(process.pid), String(pgid)], { detached: true, stdio: 'ignore' });
  dog.on('error', () => undefined);
  dog.unref();
}

function supervise(child: ChildProcess, logFile: string): Daemon {
  const pid = child.pid;
  if (pid === undefined) throw new Error('spawned daemon has no pid');
  liveGroups.add(pid);
  let running = true;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });
  // Children the daemon forked may outlive the leader: finish the group off once it is gone.
  void exited.then(() => {
    signalGroup(pid, 'SIGKILL');
    liveGroups.delete(pid);
  });
  const stop = async (graceMs = 5000): Promise<ExitInfo> => {
    if (!running) return exited;
    signalGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
    const info = await exited;
    clearTimeout(timer);
    return info;
  };
  const kill = async (): Promise<ExitInfo> => {
    signalGroup(pid, 'SIGKILL');
    return exited;
  };
  return {
    pid,
    logFile,
    exited,
    get running() {
      return running;
    },
    stop,
    kill,
  };
}

/** Options for {@link waitFor}. */
export interface WaitOptions {
  /** What is awaited, for the error message, e.g. `slapd on 127.0.0.1:41234`. */
  readonly what: string;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Polled too: when it returns a text, waiting stops with that text as the error (peer died). */
  readonly failed?: () => string | undefined;
}

/** Polls `check` until it resolves true; rejects after `timeoutMs` (default 30 000) or when `failed` says so. */
export async function waitFor(check: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const until = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const failure = opts.failed?.();
    if (failure !== undefined) throw new Error(`${opts.what}: ${failure}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${opts.what}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}

/** True when a TCP connection to `host:port` can be opened (closed again at once). */
export function tcpAccepts(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
