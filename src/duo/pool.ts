/**
 * Keep-alive connections to one Duo API host, on undici `Client`s (one connection each, no
 * pipelining, so a push held open for a minute never blocks another login).
 *
 * Why not undici's `Pool`: it marks a connection busy until a drain event that can arrive after
 * the caller already read the answer, so back-to-back calls alternate between two connections
 * and pay a second TLS handshake. Here a connection is idle exactly when no call of ours is on
 * it, and the most recently used idle connection is taken first, so sequential logins always
 * reuse one warm TLS connection.
 */
import type { Socket } from 'node:net';
import { createSecureContext, type SecureVersion } from 'node:tls';
import { Client, Pool, buildConnector } from 'undici';
import type { Dispatcher } from 'undici';

/** Idle connections always kept (sequential logins reuse one warm connection). */
const MIN_IDLE = 16;
/**
 * Beyond {@link MIN_IDLE}, as many idle connections are kept as were busy at once within this
 * window, so a steady load of N concurrent calls reuses N connections instead of closing and
 * re-opening (a TLS handshake each) whatever exceeds a fixed cap; after a burst, the surplus is
 * closed as it becomes idle once the window has passed.
 */
const PEAK_WINDOW_MS = 30_000;

/** TLS settings of the pool's connections. */
export interface PoolTlsOptions {
  /** Trusted CA certificates (PEM). */
  readonly ca: readonly string[];
  readonly rejectUnauthorized: boolean;
  readonly minVersion: SecureVersion;
  /** SNI and the name checked in the certificate (absent for an IP address). */
  readonly servername?: string;
  /** TCP+TLS connect limit in ms. */
  readonly timeout?: number;
}

/** Where to connect and how. */
export interface ConnectionPoolOptions {
  /** `https://host:port`. */
  readonly origin: string;
  readonly tls: PoolTlsOptions;
  /** HTTP proxy to tunnel through with CONNECT. */
  readonly httpProxy?: { readonly host: string; readonly port: number } | undefined;
  /** Sent with the CONNECT request (spec §6.1). */
  readonly userAgent: string;
  /** Answers larger than this fail with `UND_ERR_RES_EXCEEDED_MAX_SIZE`. */
  readonly maxResponseSize: number;
}

/** A full answer: status and the whole body. */
export interface PoolAnswer {
  readonly status: number;
  readonly body: Buffer;
}

/** Keep-alive connections to one origin. */
export class ConnectionPool {
  private readonly idle: Client[] = [];
  private readonly busy = new Set<Client>();
  private readonly connect: buildConnector.connector;
  private readonly proxy: Pool | undefined;
  private closed = false;
  private peakBusy = 0;
  private peakSince = 0;

  constructor(private readonly opts: ConnectionPoolOptions) {
    // One connector for all connections: they share its TLS session cache. And one SecureContext:
    // given only `ca`, tls.connect() builds a context per connection, parsing the whole CA bundle
    // each time (measured: ~25 % of the proxy's CPU on the full 2FA path at 64 logins in flight)
    // and keeping a certificate store per open connection.
    const { ca, minVersion, rejectUnauthorized, servername, timeout } = opts.tls;
    const tls = buildConnector({
      secureContext: createSecureContext({ ca: [...ca], minVersion }),
      rejectUnauthorized,
      ...(servername === undefined ? {} : { servername }),
      ...(timeout === undefined ? {} : { timeout }),
    });
    if (opts.httpProxy) {
      const { host, port } = opts.httpProxy;
      this.proxy = new Pool(`http://${host}:${port}`, { ...(opts.tls.timeout ? { connect: { timeout: opts.tls.timeout } } : {}) });
      this.connect = this.tunnelConnector(this.proxy, tls);
    } else {
      this.connect = tls;
    }
  }

  /** Sends one request on an idle connection (or a new one) and reads the whole answer. */
  async request(opts: Omit<Dispatcher.RequestOptions, 'origin'>): Promise<PoolAnswer> {
    const client = this.acquire();
    try {
      const res = await client.request(opts);
      const body = Buffer.from(await res.body.arrayBuffer());
      return { status: res.statusCode, body };
    } finally {
      this.release(client);
    }
  }

  /**
   * Closes every connection at once; calls still in flight fail as transport errors. (undici's
   * graceful `close()` can wait forever on a connection that failed its certificate check.)
   */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle, ...this.busy].map((c) => c.destroy().catch(() => undefined));
    this.idle.length = 0;
    await Promise.all(all);
    await this.proxy?.destroy();
  }

  private acquire(): Client {
    let i = this.idle.length - 1;
    while (i >= 0 && !this.idle[i]?.stats.connected) i--;
    const [reused] = i >= 0 ? this.idle.splice(i, 1) : this.idle.splice(-1, 1);
    const client = reused ?? this.newClient();
    this.busy.add(client);
    this.notePeak();
    return client;
  }

  /** Tracks the most connections busy at once within {@link PEAK_WINDOW_MS}. */
  private notePeak(): void {
    const now = Date.now();
    if (now - this.peakSince > PEAK_WINDOW_MS) {
      this.peakBusy = this.busy.size;
      this.peakSince = now;
    } else if (this.busy.size > this.peakBusy) this.peakBusy = this.busy.size;
  }

  private release(client: Client): void {
    this.busy.delete(client);
    if (this.closed || client.destroyed || client.closed) return;
    if (this.idle.length >= Math.max(MIN_IDLE, this.peakBusy)) void client.destroy().catch(() => undefined);
    else this.idle.push(client);
  }

  private newClient(): Client {
    // Our CallScope bounds each call, so undici's header/body timers are off (0).
    return new Client(this.opts.origin, {
      connect: this.connect,
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: 60_000,
      pipelining: 1,
      maxResponseSize: this.opts.maxResponseSize,
    });
  }

  /**
   * `CONNECT host:port` through the proxy, then TLS to the API host inside the tunnel
   * (spec §6.1: plain TCP to the proxy, expect 200, then TLS).
   */
  private tunnelConnector(proxy: Pool, tls: buildConnector.connector): buildConnector.connector {
    return (o, callback) => {
      const target = `${o.hostname}:${o.port || '443'}`;
      proxy.connect({ path: target, headers: { host: target, 'user-agent': this.opts.userAgent } }).then(
        ({ socket, statusCode }) => {
          if (statusCode === 200) return tls({ ...o, httpSocket: socket as Socket }, callback);
          socket.destroy();
          callback(new Error(`HTTP proxy answered ${statusCode} to CONNECT ${target}`), null);
        },
        (err: Error) => callback(err, null),
      );
    };
  }
}
