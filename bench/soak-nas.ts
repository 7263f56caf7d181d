/**
 * The load generator of `npm run soak`: a NAS with several UDP sockets sending PAP logins at a
 * fixed rate, each with its own Identifier (256 per socket), verifying every reply (Response
 * Authenticator and Message-Authenticator, RFC 2865 §3 / RFC 3579 §3.2) and recording latency.
 * No retransmissions: a login without an answer within the timeout counts as lost.
 */
import { createSocket, type Socket } from 'node:dgram';
import { checkReply } from '../src/radius/access-request.js';
import { papRequest } from '../test/support/udp-client.js';

interface Outstanding {
  readonly sentAt: number;
  readonly request: Buffer;
}

/** Counts of a load run. */
export interface LoadCounts {
  sent: number;
  accepted: number;
  /** Answered with a valid reply that is not an Access-Accept. */
  rejected: number;
  /** Replies that failed verification or matched nothing. */
  bad: number;
  lost: number;
  /** Ticks when every Identifier of every socket was in use (the proxy fell behind). */
  starved: number;
}

/** Nearest-rank percentile of `values` (sorted copy), in the same unit. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A NAS with `sockets` sockets of 256 Identifiers each. */
export class LoadNas {
  readonly counts: LoadCounts = { sent: 0, accepted: 0, rejected: 0, bad: 0, lost: 0, starved: 0 };
  /** Latencies (ms) of answered logins since the last {@link takeWindow}. */
  private window: number[] = [];
  readonly all: number[] = [];
  private readonly outstanding: Map<number, Outstanding>[];
  private readonly free: number[][];
  private next = 0;

  private constructor(
    private readonly sockets: Socket[],
    private readonly port: number,
    private readonly secret: string,
    private readonly users: readonly (readonly [string, string])[],
  ) {
    this.outstanding = sockets.map(() => new Map());
    this.free = sockets.map(() => Array.from({ length: 256 }, (_, i) => i));
    sockets.forEach((s, i) => s.on('message', (m) => this.onReply(i, m)));
  }

  /** Opens `n` sockets on 127.0.0.1. */
  static async open(n: number, port: number, secret: string, users: readonly (readonly [string, string])[]): Promise<LoadNas> {
    const sockets = await Promise.all(
      Array.from({ length: n }, async () => {
        const s = createSocket('udp4');
        s.on('error', () => undefined);
        await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
        return s;
      }),
    );
    return new LoadNas(sockets, port, secret, users);
  }

  /** Logins waiting for an answer. */
  get pending(): number {
    return this.outstanding.reduce((n, m) => n + m.size, 0);
  }

  /** Sends one login; false when no Identifier is free. */
  send(): boolean {
    for (let k = 0; k < this.sockets.length; k++) {
      const i = (this.next + k) % this.sockets.length;
      const id = this.free[i]!.pop();
      if (id === undefined) continue;
      this.next = i + 1;
      const [user, password] = this.users[this.counts.sent % this.users.length]!;
      const request = papRequest({ user, password, secret: this.secret, identifier: id });
      this.outstanding[i]!.set(id, { sentAt: performance.now(), request });
      this.counts.sent++;
      this.sockets[i]!.send(request, this.port, '127.0.0.1');
      return true;
    }
    this.counts.starved++;
    return false;
  }

  /** Counts logins older than `timeoutMs` as lost and frees their Identifiers. */
  expire(timeoutMs: number): void {
    const now = performance.now();
    this.outstanding.forEach((m, i) => {
      for (const [id, o] of m) {
        if (now - o.sentAt < timeoutMs) continue;
        m.delete(id);
        this.free[i]!.push(id);
        this.counts.lost++;
      }
    });
  }

  /** Latencies recorded since the previous call. */
  takeWindow(): number[] {
    const w = this.window;
    this.window = [];
    return w;
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  private onReply(i: number, msg: Buffer): void {
    const id = msg[1];
    const o = id === undefined ? undefined : this.outstanding[i]!.get(id);
    if (id === undefined || !o) return void this.counts.bad++;
    const check = checkReply(msg, { identifier: id, authenticator: o.request.subarray(4, 20) }, Buffer.from(this.secret), true);
    if (!check.ok) return void this.counts.bad++;
    this.outstanding[i]!.delete(id);
    this.free[i]!.push(id);
    const ms = performance.now() - o.sentAt;
    this.window.push(ms);
    this.all.push(ms);
    if (check.packet.code === 2) this.counts.accepted++;
    else this.counts.rejected++;
  }
}
