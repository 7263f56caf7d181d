/**
 * The benchmark's RADIUS load generator: a set of simulated NASes that keep `concurrency` logins
 * in flight over several UDP sockets (each socket has the 256 Identifiers of RFC 2865 §3), start a
 * new login as soon as one is answered (closed loop), resend the identical bytes every
 * `retransmitMs` like a NAS (RFC 5080 §2.2.1), and count a login as lost when `timeoutMs` pass
 * without a valid answer. Latency is measured from the first transmission to the valid reply.
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { summarize, type LatencySummary } from './stats.js';
import { ACCESS_ACCEPT, ACCESS_CHALLENGE, ACCESS_REJECT, AuthenticatorSource, encodeLogin, isReplyTo, type Login, type RequestTemplate } from './wire.js';

/** One load run. */
export interface LoadSpec {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
  /** Logins to send, used in turn (cycled). */
  readonly logins: readonly Login[];
  /** Logins kept in flight. */
  readonly concurrency: number;
  /** Logins to start in total; without it, `durationMs` decides. */
  readonly total?: number | undefined;
  /** Stop starting new logins after this many ms (in-flight ones are still awaited). */
  readonly durationMs?: number | undefined;
  /** A login without a valid answer after this many ms is lost. */
  readonly timeoutMs: number;
  /** Resend the identical datagram every this many ms while unanswered (0 = never). */
  readonly retransmitMs?: number | undefined;
  readonly callingStationId?: string | undefined;
  /** UDP sockets (default: enough for 256 Identifiers each, at least min(4, concurrency)). */
  readonly sockets?: number | undefined;
  /**
   * Paced (open loop): start logins at this rate per second, still at most `concurrency` in
   * flight, instead of starting a new one as soon as one is answered (closed loop).
   */
  readonly ratePerSec?: number | undefined;
}

/** What a run measured. */
export interface LoadResult {
  /** Logins started. */
  readonly requests: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly challenged: number;
  readonly lost: number;
  /** Datagrams resent because the login was still unanswered. */
  readonly retransmissions: number;
  /** Datagrams received that answered no outstanding login (late, duplicate or forged). */
  readonly strays: number;
  readonly elapsedMs: number;
  /** Answered logins per second. */
  readonly rps: number;
  readonly latency: LatencySummary;
  /** CPU used by the generator itself, in % of one core (to show it was not the bottleneck). */
  readonly generatorCpuPct: number;
}

interface Outstanding {
  readonly packet: Buffer;
  readonly authenticator: Buffer;
  readonly firstSent: number;
  lastSent: number;
}

interface Nas {
  readonly socket: Socket;
  readonly slots: (Outstanding | undefined)[];
  readonly free: number[];
  readonly limit: number;
  inflight: number;
}

const IDS_PER_SOCKET = 256;
const TICK_MS = 25;
const PACE_MS = 1;
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/** Number of sockets for `concurrency` logins in flight. */
export function socketCount(concurrency: number, requested?: number): number {
  const needed = Math.ceil(concurrency / IDS_PER_SOCKET);
  return Math.max(needed, requested ?? Math.min(4, concurrency), 1);
}

/** Runs one load test and resolves when every started login is answered or lost. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  if (spec.logins.length === 0) throw new Error('runLoad needs at least one login');
  if (spec.total === undefined && spec.durationMs === undefined) throw new Error('runLoad needs total or durationMs');
  const run = new LoadRun(spec);
  await run.open();
  try {
    return await run.run();
  } finally {
    await run.close();
  }
}

class LoadRun {
  private readonly nases: Nas[] = [];
  private readonly template: RequestTemplate;
  private readonly auth = new AuthenticatorSource();
  private readonly latencies: number[] = [];
  private readonly counts = { started: 0, accepted: 0, rejected: 0, challenged: 0, lost: 0, retransmissions: 0, strays: 0 };
  private startedAt = 0;
  private lastAnswerAt = 0;
  private done: (() => void) | undefined;

  constructor(private readonly spec: LoadSpec) {
    this.template = { secret: Buffer.from(spec.secret, 'utf8'), callingStationId: spec.callingStationId };
  }

  async open(): Promise<void> {
    const n = socketCount(this.spec.concurrency, this.spec.sockets);
    for (let i = 0; i < n; i++) {
      const limit = Math.min(IDS_PER_SOCKET, Math.floor(this.spec.concurrency / n) + (i < this.spec.concurrency % n ? 1 : 0));
      this.nases.push(await this.openNas(limit));
    }
  }

  private async openNas(limit: number): Promise<Nas> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => socket.connect(this.spec.port, this.spec.host, resolve));
    try {
      socket.setRecvBufferSize(SOCKET_BUFFER_BYTES);
      socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
    } catch {
      // capped by net.core.[rw]mem_max: the default still works
    }
    const free = Array.from({ length: IDS_PER_SOCKET }, (_, i) => IDS_PER_SOCKET - 1 - i);
    const nas: Nas = { socket, slots: new Array<Outstanding | undefined>(IDS_PER_SOCKET).fill(undefined), free, limit, inflight: 0 };
    socket.on('message', (msg) => this.receive(nas, msg));
    socket.on('error', () => undefined); // ICMP port unreachable while the server restarts: keep going
    return nas;
  }

  async run(): Promise<LoadResult> {
    const cpu0 = process.cpuUsage();
    this.startedAt = performance.now();
    const finished = new Promise<void>((resolve) => (this.done = resolve));
    this.fill();
    const ticker = setInterval(() => this.tick(), TICK_MS);
    const pacer = this.spec.ratePerSec ? setInterval(() => this.fill(), PACE_MS) : undefined;
    this.checkDone();
    await finished;
    clearInterval(ticker);
    clearInterval(pacer);
    const elapsedMs = Math.max(this.lastAnswerAt, performance.now()) - this.startedAt;
    const cpu = process.cpuUsage(cpu0);
    const answered = this.counts.accepted + this.counts.rejected + this.counts.challenged;
    return {
      requests: this.counts.started,
      accepted: this.counts.accepted,
      rejected: this.counts.rejected,
      challenged: this.counts.challenged,
      lost: this.counts.lost,
      retransmissions: this.counts.retransmissions,
      strays: this.counts.strays,
      elapsedMs,
      rps: answered / (elapsedMs / 1000),
      latency: summarize(this.latencies),
      generatorCpuPct: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.nases.map((n) => new Promise<void>((r) => n.socket.close(() => r()))));
  }

  private mayStart(now: number): boolean {
    const s = this.spec;
    if (s.total !== undefined && this.counts.started >= s.total) return false;
    return s.durationMs === undefined || now - this.startedAt < s.durationMs;
  }

  /** Paced runs: true when the schedule allows one more login now. */
  private onSchedule(now: number): boolean {
    const rate = this.spec.ratePerSec;
    return rate === undefined || this.counts.started < ((now - this.startedAt) * rate) / 1000 + 1;
  }

  /** Starts whatever the limits allow, spreading logins over the sockets. */
  private fill(): void {
    let started = true;
    while (started) {
      started = false;
      for (const nas of this.nases) if (nas.inflight < nas.limit && this.startOne(nas)) started = true;
    }
  }

  private startOne(nas: Nas): boolean {
    const now = performance.now();
    if (!this.mayStart(now) || !this.onSchedule(now)) return false;
    const id = nas.free.pop();
    if (id === undefined) return false;
    const login = this.spec.logins[this.counts.started % this.spec.logins.length]!;
    this.counts.started++;
    const authenticator = this.auth.next();
    const packet = encodeLogin(id, login, this.template, authenticator);
    nas.slots[id] = { packet, authenticator, firstSent: now, lastSent: now };
    nas.inflight++;
    nas.socket.send(packet);
    return true;
  }

  private release(nas: Nas, id: number): void {
    nas.slots[id] = undefined;
    nas.free.push(id);
    nas.inflight--;
    this.startOne(nas);
    this.checkDone();
  }

  private receive(nas: Nas, msg: Buffer): void {
    const id = msg.length >= 20 ? msg[1]! : -1;
    const o = id >= 0 ? nas.slots[id] : undefined;
    if (!o || !isReplyTo(msg, id, o.authenticator, this.template.secret)) {
      this.counts.strays++;
      return;
    }
    const now = performance.now();
    this.lastAnswerAt = now;
    this.latencies.push(now - o.firstSent);
    const code = msg[0];
    if (code === ACCESS_ACCEPT) this.counts.accepted++;
    else if (code === ACCESS_REJECT) this.counts.rejected++;
    else if (code === ACCESS_CHALLENGE) this.counts.challenged++;
    else this.counts.strays++;
    this.release(nas, id);
  }

  /** Timeouts and NAS retransmissions. */
  private tick(): void {
    const now = performance.now();
    const every = this.spec.retransmitMs ?? 0;
    for (const nas of this.nases) {
      for (let id = 0; id < IDS_PER_SOCKET; id++) {
        const o = nas.slots[id];
        if (!o) continue;
        if (now - o.firstSent >= this.spec.timeoutMs) {
          this.counts.lost++;
          this.release(nas, id);
        } else if (every > 0 && now - o.lastSent >= every) {
          o.lastSent = now;
          this.counts.retransmissions++;
          nas.socket.send(o.packet);
        }
      }
    }
    this.fill();
    this.checkDone();
  }

  private checkDone(): void {
    if (!this.done || this.mayStart(performance.now())) return;
    if (this.nases.every((n) => n.inflight === 0)) {
      const done = this.done;
      this.done = undefined;
      done();
    }
  }
}
