/**
 * Starting the proxy child (fuzz-proxy-child.ts) and talking to it: stats requests over IPC,
 * crash detection, stop. Shared by bench/fuzz.ts and bench/soak.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What the child reports. */
export interface ChildStats {
  readonly rss: number;
  readonly heapUsed: number;
  /** Memory of Buffers / ArrayBuffers (outside the V8 heap). */
  readonly arrayBuffers: number;
  readonly inflight: number;
  readonly received: number;
  readonly errors: number;
  readonly drops: Readonly<Record<string, number>>;
  /** process.getActiveResourcesInfo().length in the child. */
  readonly handles: number;
  /** Longest event-loop delay since the previous stats call (ms). */
  readonly loopDelayMaxMs: number;
  /** CPU time used by the child so far (user + system, ms). */
  readonly cpuMs: number;
}

const DEAD: ChildStats = { rss: 0, heapUsed: 0, arrayBuffers: 0, inflight: -1, received: -1, errors: -1, drops: {}, handles: -1, loopDelayMaxMs: -1, cpuMs: -1 };

/** Parent → child messages. */
export type HostMessage = { type: 'stats'; id: number; gc: boolean } | { type: 'stop' };

/** A running proxy child. */
export class ProxyChild {
  /** Set when the child exited before {@link stop} was called. */
  crashed: { code: number | null; signal: string | null } | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, (s: ChildStats) => void>();
  private stopping = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (m: { type: string; id?: number; stats?: ChildStats }) => {
      if (m.type === 'stats' && m.id !== undefined && m.stats) this.waiting.get(m.id)?.(m.stats);
    });
    child.on('exit', (code, signal) => {
      if (!this.stopping) this.crashed = { code, signal };
      for (const w of this.waiting.values()) w(DEAD);
    });
  }

  /** Forks the child (with --expose-gc) and waits for its listener. */
  static async start(configPath: string, installDir: string, opts: { stdio?: 'inherit' | 'ignore' } = {}): Promise<ProxyChild> {
    const script = fileURLToPath(new URL('./fuzz-proxy-child.js', import.meta.url));
    const child = fork(script, [configPath, installDir], { execArgv: ['--expose-gc'], stdio: ['ignore', opts.stdio ?? 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`proxy child exited during start (code ${code})`)));
      child.on('message', (m: { type: string; port?: number }) => {
        if (m.type === 'ready') resolve(m.port ?? 0);
      });
    });
    return new ProxyChild(child, port);
  }

  /** The child's pid. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Memory and counters of the child (after a full GC when `gc`). */
  stats(gc = false): Promise<ChildStats> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, (s) => {
        this.waiting.delete(id);
        resolve(s);
      });
      if (this.crashed || !this.child.connected) this.waiting.get(id)?.(DEAD);
      else this.child.send({ type: 'stats', id, gc } satisfies HostMessage);
    });
  }

  /** Graceful stop; resolves when the child has exited. */
  async stop(): Promise<void> {
    if (this.crashed || this.child.exitCode !== null) return;
    this.stopping = true;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.send({ type: 'stop' } satisfies HostMessage);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
