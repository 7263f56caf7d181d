/**
 * Processes of the benchmark: Node children pinned to CPUs with `taskset` (the machine has two
 * cores shared by the proxy under test, the load generator and the peers), a request/answer
 * protocol over the IPC channel, and RSS / CPU readings from /proc.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const HAVE_TASKSET = existsSync('/usr/bin/taskset');
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;

/** The compiled file next to this one, e.g. `scriptPath('loadgen-child.js')`. */
export function scriptPath(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url));
}

/** Options of {@link spawnNode}. */
export interface NodeChildOptions {
  /** CPU list for taskset, e.g. `'1'` or `'0-1'`; undefined = not pinned. */
  readonly cpus?: string | undefined;
  readonly execArgv?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Inherit stdout/stderr (default) or ignore them. */
  readonly quiet?: boolean;
}

/** A Node child with an IPC channel that answers `{ id, ... }` requests with `{ id, ... }`. */
export class NodeChild {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly exited: Promise<number | null>;
  /** Resolves with the child's `{ kind: 'ready' }` message; rejects if it exits first. */
  readonly ready: Promise<Record<string, unknown>>;

  constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.ready = new Promise((resolve, reject) => {
      child.on('message', (m: Record<string, unknown>) => m['kind'] === 'ready' && resolve(m));
      void this.exited.then((code) => reject(new Error(`child exited (${code}) before it was ready`)));
    });
    this.ready.catch(() => undefined);
    child.on('message', (m: { id?: number; error?: string }) => {
      const w = m.id === undefined ? undefined : this.waiting.get(m.id);
      if (!w || m.id === undefined) return;
      this.waiting.delete(m.id);
      if (m.error !== undefined) w.reject(new Error(m.error));
      else w.resolve(m);
    });
    void this.exited.then(() => {
      for (const w of this.waiting.values()) w.reject(new Error('child exited'));
      this.waiting.clear();
    });
  }

  /** Process id (of node itself: taskset execs it). */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Sends a request and resolves with the child's answer. */
  request<T>(message: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...message, id });
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves on exit. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }
}

/** Spawns `node <script> <args>` (optionally under `taskset -c <cpus>`) with an IPC channel. */
export function spawnNode(script: string, args: readonly string[], opts: NodeChildOptions = {}): NodeChild {
  const nodeArgs = [...(opts.execArgv ?? []), script, ...args];
  const [cmd, argv] = opts.cpus && HAVE_TASKSET ? ['taskset', ['-c', opts.cpus, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const out = opts.quiet ? 'ignore' : 'inherit';
  const child = spawn(cmd as string, argv as string[], { stdio: ['ignore', out, out, 'ipc'], env: opts.env ?? process.env });
  return new NodeChild(child);
}

/** Pins every thread of a running process (e.g. FreeRADIUS) to `cpus`; no-op without taskset. */
export async function pinProcess(pid: number, cpus: string): Promise<void> {
  if (!HAVE_TASKSET) return;
  await exec('taskset', ['-a', '-p', '-c', cpus, String(pid)]);
}

/** Resident set size of `pid` in MB (VmRSS), 0 when gone. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system, all threads) used by `pid` so far. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** Samples RSS of some processes every `everyMs` and remembers the peaks. */
export class RssSampler {
  private readonly peaks = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: readonly number[], everyMs = 100) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    for (const pid of this.pids) this.peaks.set(pid, Math.max(this.peaks.get(pid) ?? 0, rssMb(pid)));
  }

  /** Stops sampling; returns the peak RSS (MB) of `pid`. */
  stop(pid: number): number {
    clearInterval(this.timer);
    this.sample();
    return this.peaks.get(pid) ?? 0;
  }
}

/** Measures CPU use of processes over an interval, in % of one core. */
export class CpuMeter {
  private readonly start = new Map<number, number>();
  private readonly t0 = Date.now();

  constructor(private readonly pids: Readonly<Record<string, number>>) {
    for (const pid of Object.values(pids)) this.start.set(pid, cpuSeconds(pid));
  }

  /** `{ name: percent }` since construction. */
  read(): Record<string, number> {
    const secs = (Date.now() - this.t0) / 1000;
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      out[name] = Math.round(((cpuSeconds(pid) - (this.start.get(pid) ?? 0)) / secs) * 100);
    }
    return out;
  }
}

/** The commit measured: short hash, `+dirty` when src/ or bench/ have uncommitted changes. */
export function measuredCommit(): string {
  try {
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${hash}+dirty` : hash;
  } catch {
    return 'unknown';
  }
}
