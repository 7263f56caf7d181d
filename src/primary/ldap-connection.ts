/**
 * One LDAP connection to one directory server, opened by us (TCP or TLS, with the per-host
 * budget as connect timeout) and handed to an ldapts {@link Client}. Transport security:
 * - `clear`: plain TCP;
 * - `ldaps`: TLS from the first byte;
 * - `starttls`: the StartTLS extended operation (RFC 4511 §4.14) before any other operation.
 *
 * Each {@link LdapConnection} owns exactly one socket for its whole life. ldapts would otherwise
 * reconnect transparently when the socket drops — in plain TCP, silently losing StartTLS — so the
 * client gets a connection factory that works once; later calls fail, and the pool opens a new
 * {@link LdapConnection} instead. StartTLS is done before ldapts gets the socket (ldap-starttls.ts).
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { Client, DN, ResultCodeError } from 'ldapts';
import { startTls } from './ldap-starttls.js';

/** How `[ad_client]` talks to a server (spec §2.1 `transport`). */
export type LdapTransport = 'clear' | 'ldaps' | 'starttls';

/** Certificate checking for LDAPS/StartTLS (spec §2.1 `ssl_ca_certs_file`, `ssl_verify_hostname`). */
export interface TlsPolicy {
  /** PEM CA certificates; undefined = no certificate check at all (as Duo's proxy). */
  readonly ca: Buffer | undefined;
  /** With a CA: also check the certificate names against the configured host. */
  readonly verifyHostname: boolean;
}

/** One directory server as configured. */
export interface LdapEndpoint {
  readonly host: string;
  readonly port: number;
  readonly transport: LdapTransport;
  readonly tls: TlsPolicy;
}

/** Counters kept for tests and metrics. */
export interface ConnectionCounters {
  /** TCP connections opened. */
  connects: number;
  /** Service-account binds sent. */
  serviceBinds: number;
}

/** The per-host budget ran out, or the caller aborted. */
export class BudgetExpired extends Error {
  constructor(readonly reason: 'timeout' | 'aborted') {
    super(reason === 'timeout' ? 'per-host timeout expired' : 'authentication aborted');
    this.name = 'BudgetExpired';
  }
}

/**
 * Time left for one host's attempt (spec §2.1 `timeout`: measured from the start of that host's
 * attempt, covering connect, bind, search and user bind) plus the caller's abort signal.
 */
export class Budget {
  constructor(
    readonly deadline: number,
    readonly signal: AbortSignal,
  ) {}

  /** Milliseconds left (never negative). */
  get remainingMs(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  /**
   * Awaits `work` unless the budget runs out or the signal aborts first; then `onExpire` runs
   * (it destroys the connection, which also settles `work`) and {@link BudgetExpired} is thrown.
   */
  async race<T>(work: Promise<T>, onExpire: () => void): Promise<T> {
    work.catch(() => undefined); // settled after expiry; nobody listens any more
    if (this.signal.aborted) {
      onExpire();
      throw new BudgetExpired('aborted');
    }
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const expiry = new Promise<never>((_, reject) => {
      const expire = (reason: 'timeout' | 'aborted') => (): void => {
        onExpire();
        reject(new BudgetExpired(reason));
      };
      timer = setTimeout(expire('timeout'), this.remainingMs);
      onAbort = expire('aborted');
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([work, expiry]);
    } finally {
      clearTimeout(timer);
      if (onAbort) this.signal.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * A DN passed to ldapts verbatim. ldapts treats a *string* equal to a SASL mechanism name
 * (`PLAIN`, `EXTERNAL`, …) as a SASL bind, so names that come from configuration or from the
 * directory are wrapped in this object and never passed to `bind()` as strings.
 */
export class VerbatimDn extends DN {
  constructor(private readonly text: string) {
    super();
  }
  override toString(): string {
    return this.text;
  }
}

/** True for an LDAP result code from the server (as opposed to a socket/TLS/timeout failure). */
export function isLdapResultError(err: unknown): err is ResultCodeError {
  return err instanceof ResultCodeError;
}

/** Text of an error for a log line (never contains a password: ldapts errors carry none). */
export function describeLdapError(err: unknown): string {
  if (err instanceof ResultCodeError) {
    // ldapts appends " Code: 0x31" to the server's diagnostic message; show the code once, in decimal.
    const text = err.message.replace(/\s*Code: 0x[0-9a-f]+$/i, '').trim();
    return text === '' ? `${err.name} (${err.code})` : `${err.name} (${err.code}): ${text}`;
  }
  if (err instanceof Error) return err.message === '' ? err.name : `${err.name}: ${err.message}`;
  return String(err);
}

/** TLS options for `endpoint`, shared by LDAPS and StartTLS. */
export function tlsOptionsFor(endpoint: LdapEndpoint): ConnectionOptions {
  const opts: ConnectionOptions = { host: endpoint.host };
  // RFC 6066 §3: SNI carries host names only, never IP literals.
  if (isIP(endpoint.host) === 0) opts.servername = endpoint.host;
  const { ca, verifyHostname } = endpoint.tls;
  if (ca === undefined) return { ...opts, rejectUnauthorized: false };
  return { ...opts, ca, rejectUnauthorized: true, checkServerIdentity: verifyHostname ? checkServerIdentity : () => undefined };
}

/** Keep-alive probes find connections that died silently while idle in a pool. */
const KEEPALIVE_MS = 30_000;

/** An open LDAP connection (see the module comment). */
export class LdapConnection {
  /** The ldapts client speaking over this connection's socket. */
  readonly client: Client;
  /** When the connection was last handed back to a pool (ms since epoch). */
  idleSince = Date.now();
  private readonly sockets: readonly Socket[];
  private closed = false;

  /** `sockets`: the TCP socket, then the TLS socket on top of it for StartTLS; ldapts gets the last. */
  constructor(sockets: readonly Socket[]) {
    const top = sockets[sockets.length - 1];
    if (top === undefined) throw new TypeError('LdapConnection needs a socket');
    this.sockets = sockets;
    for (const s of sockets) this.watch(s);
    let handedOut = false;
    const once = (): Socket => {
      // ldapts calls this inside a Promise executor: throwing rejects the operation that wanted to reconnect.
      if (handedOut || !this.alive) throw new Error('LDAP connection closed');
      handedOut = true;
      return top;
    };
    // The URL is a placeholder: ldapts only passes its host/port to createConnection, which ignores them.
    this.client = new Client({ url: 'ldap://localhost', createConnection: once as unknown as typeof netConnect });
  }

  /** False once the socket has closed or been destroyed. */
  get alive(): boolean {
    return !this.closed && this.sockets.every((s) => !s.destroyed);
  }

  /** Tears the socket down at once (pending operations fail). */
  destroy(): void {
    this.closed = true;
    // Top of the stack first: destroying the TCP socket under a live StartTLS TLSSocket and then
    // writing to the TLSSocket crashes Node 20 (segfault in the TLS wrap).
    for (const s of [...this.sockets].reverse()) s.destroy();
  }

  /** Sends an LDAP Unbind (RFC 4511 §4.3) when still connected, then destroys the socket. */
  async close(): Promise<void> {
    if (this.alive && this.client.isConnected) {
      const unbind = this.client.unbind();
      const grace = new Promise<void>((r) => setTimeout(r, 1000).unref());
      await Promise.race([unbind.catch(() => undefined), grace]);
    }
    this.destroy();
  }

  private watch(socket: Socket): void {
    // Until ldapts adopts the socket (first operation) nobody else listens for errors.
    socket.on('error', () => {
      this.closed = true;
    });
    socket.once('close', () => {
      this.closed = true;
    });
  }
}

function whenConnected(socket: Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once(event, () => resolve());
    socket.once('error', reject);
  });
}

/**
 * Opens a connection to `endpoint` within `budget`: TCP (or TLS for `ldaps`), then StartTLS for
 * `starttls`. Throws the socket/TLS error, an LDAP result error from StartTLS, or {@link BudgetExpired}.
 */
export async function openLdapConnection(
  endpoint: LdapEndpoint,
  budget: Budget,
  counters: ConnectionCounters,
): Promise<LdapConnection> {
  const { host, port, transport } = endpoint;
  const socket: Socket =
    transport === 'ldaps' ? tlsConnect({ ...tlsOptionsFor(endpoint), port }) : netConnect({ host, port });
  counters.connects += 1;
  socket.setKeepAlive(true, KEEPALIVE_MS);
  await budget.race(whenConnected(socket, transport === 'ldaps' ? 'secureConnect' : 'connect'), () => socket.destroy());
  if (transport !== 'starttls') return new LdapConnection([socket]);
  return new LdapConnection([socket, await startTls(socket, tlsOptionsFor(endpoint), budget)]);
}
