/**
 * The source sockets of one upstream RADIUS client. RFC 2865 §3: the Identifier distinguishes
 * requests per source address and port, so one socket carries at most 256 requests in flight.
 * Duo's proxy (spec §3.2 step 1) queues beyond that on its single socket and fails the rest; in a
 * morning rush that turns into rejected logins. Like FreeRADIUS, we open another socket instead,
 * up to `maxSockets` (default 16: 4,096 requests in flight), and only then queue (256 per socket).
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import { AuthproxyError } from '../errors.js';
import { IdentifierPool } from './identifier-pool.js';

/** Default number of source sockets one upstream client may open. */
export const DEFAULT_MAX_SOCKETS = 16;

/** One source socket with its own Identifier space and the requests in flight on it. */
export interface Lane<P> {
  readonly socket: Socket;
  readonly pool: IdentifierPool;
  readonly pending: Map<number, P>;
}

/** The lanes of one client: grown on demand, closed together. */
export class Lanes<P> {
  /** Open lanes, in opening order (the first one is opened by `start`). */
  readonly all: Lane<P>[] = [];
  private opening: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly open: () => Promise<Socket>,
    private readonly onMessage: (lane: Lane<P>, msg: Buffer, rinfo: RemoteInfo) => void,
    private readonly maxSockets: number = DEFAULT_MAX_SOCKETS,
  ) {}

  /** Opens the first socket. */
  async start(): Promise<void> {
    if (this.all.length === 0) await this.grow();
  }

  /** Requests in flight, over every socket. */
  get inFlight(): number {
    return this.all.reduce((n, l) => n + l.pending.size, 0);
  }

  /** Requests waiting for an Identifier, over every socket. */
  get waiting(): number {
    return this.all.reduce((n, l) => n + l.pool.waiting, 0);
  }

  /**
   * An Identifier: a free one on an open socket at once (taken synchronously, so a burst cannot
   * oversubscribe a socket); else a new socket while fewer than `maxSockets` are open; else a place
   * in the shortest queue (which fails fast with AP_ERR_RADIUS_BUSY when full).
   */
  async acquire(signal?: AbortSignal): Promise<{ lane: Lane<P>; id: number }> {
    for (;;) {
      for (const lane of this.all) {
        const id = lane.pool.tryAcquire();
        if (id !== undefined) return { lane, id };
      }
      if (this.closed || this.all.length >= this.maxSockets) break;
      await this.grow();
    }
    if (this.closed || this.all.length === 0) throw new AuthproxyError('AP_ERR_RADIUS_CANCELLED', 'RADIUS client closed');
    const lane = this.all.reduce((a, b) => (b.pool.waiting < a.pool.waiting ? b : a));
    return { lane, id: await lane.pool.acquire(signal) };
  }

  private grow(): Promise<void> {
    this.opening ??= this.open()
      .then((socket) => {
        if (this.closed) return void socket.close();
        const lane: Lane<P> = { socket, pool: new IdentifierPool(), pending: new Map() };
        socket.on('message', (msg, rinfo) => this.onMessage(lane, msg, rinfo));
        this.all.push(lane);
      })
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }

  /** Fails queued and in-flight requests (`failPending`) and closes every socket. */
  async close(err: unknown, failPending: (p: P) => void): Promise<void> {
    this.closed = true;
    await this.opening?.catch(() => undefined);
    for (const lane of this.all) {
      lane.pool.rejectWaiters(err);
      for (const p of [...lane.pending.values()]) failPending(p);
    }
    const sockets = this.all.splice(0).map((l) => l.socket);
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
