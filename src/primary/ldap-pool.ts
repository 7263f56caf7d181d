/**
 * Connection reuse for one directory server, so that a login does not pay a TCP (+TLS) handshake
 * and a service-account bind every time. Two kinds of connection, never mixed:
 *
 * - **Search connections** are bound once as the service account and then only carry searches.
 *   LDAP lets several operations be outstanding on one connection, matched by messageID
 *   (RFC 4511 §4.1.1.1), so concurrent logins share them; at most {@link MAX_SEARCH} are kept.
 *
 * - **Bind connections** carry nothing but the users' Bind requests, one login at a time
 *   (RFC 4511 §4.2.1: no other PDU may be sent while a bind is outstanding). A user bind changes
 *   the connection's identity; we neither rebind as the service account (an extra round trip per
 *   login) nor unbind (RFC 4511 §4.3: that ends the connection). Instead the connection goes back
 *   to its own pool as it is: it is never used for anything but the next Bind, and every Bind
 *   resets the authorization state first — a failed one leaves the connection anonymous
 *   (RFC 4511 §4.2.1) — so a previous user's identity can never authorize anything. ldapts keeps
 *   no copy of the password (autoRebind is off).
 *
 * Nothing is opened ahead of need: a burst of logins on a cold pool opens one search connection
 * per login (each pays its own service bind, within its own budget) and keeps the first ones.
 *
 * A pooled connection that the server dropped (restart, idle timeout) is noticed when its socket
 * closes, or at the latest when an operation on it fails with a socket error; that operation is
 * then repeated once on a fresh connection, within the same per-host budget.
 */
import {
  Budget,
  BudgetExpired,
  VerbatimDn,
  isLdapResultError,
  openLdapConnection,
  type ConnectionCounters,
  type LdapConnection,
  type LdapEndpoint,
} from './ldap-connection.js';

/** Search connections kept per host. */
const MAX_SEARCH = 2;
/** Idle bind connections kept per host. */
const MAX_IDLE_BIND = 4;
/** Connections idle longer than this are closed rather than reused (AD drops idle ones after 900 s). */
const MAX_IDLE_MS = 120_000;

/** A step before any search ran failed: opening the connection, or the service-account bind. */
export class StageError extends Error {
  constructor(
    readonly stage: 'connect' | 'service-bind',
    override readonly cause: unknown,
  ) {
    super(`${stage} failed`, { cause });
    this.name = 'StageError';
  }
}

/** How the pool reaches and binds to one server. */
export interface HostPoolOptions {
  readonly endpoint: LdapEndpoint;
  /** Name sent in the service-account simple bind (`bind_dn`, else `service_account_username`). */
  readonly serviceBindName: string;
  readonly serviceBindPassword: string;
  readonly counters: ConnectionCounters;
}

/** Search and bind connections to one host (see the module comment). */
export class HostPool {
  private readonly searchConns: LdapConnection[] = [];
  private readonly idleBinds: LdapConnection[] = [];
  private closed = false;

  constructor(private readonly opts: HostPoolOptions) {}

  /**
   * Runs `work` on a service-bound search connection. Throws {@link StageError} when no such
   * connection can be made, else whatever `work` throws.
   */
  async withSearchConnection<T>(budget: Budget, work: (conn: LdapConnection) => Promise<T>): Promise<T> {
    for (;;) {
      const { conn, reused } = await this.searchConnection(budget);
      try {
        return await work(conn);
      } catch (err) {
        if (!isSocketFailure(err)) throw err;
        this.forget(conn);
        if (!reused) throw err;
      } finally {
        if (!this.searchConns.includes(conn)) void conn.close();
      }
    }
  }

  /**
   * Runs `work` (one Bind) on a bind connection that no one else uses meanwhile. Throws
   * {@link StageError} when no connection can be opened, else whatever `work` throws.
   */
  async withBindConnection<T>(budget: Budget, work: (conn: LdapConnection) => Promise<T>): Promise<T> {
    for (;;) {
      const { conn, reused } = await this.bindConnection(budget);
      try {
        const result = await work(conn);
        this.release(conn);
        return result;
      } catch (err) {
        if (!isSocketFailure(err)) {
          this.release(conn);
          throw err;
        }
        conn.destroy();
        this.drainIdleBinds();
        if (!reused) throw err;
      }
    }
  }

  /** Unbinds and closes every pooled connection; connections in use are closed when handed back. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.searchConns.splice(0), ...this.idleBinds.splice(0)];
    await Promise.all(all.map((c) => c.close()));
  }

  private async searchConnection(budget: Budget): Promise<{ conn: LdapConnection; reused: boolean }> {
    for (const conn of [...this.searchConns]) {
      if (usable(conn)) {
        conn.idleSince = Date.now();
        return { conn, reused: true };
      }
      this.forget(conn);
      void conn.close();
    }
    const conn = await this.openServiceBound(budget);
    if (!this.closed && this.searchConns.length < MAX_SEARCH) this.searchConns.push(conn);
    return { conn, reused: false };
  }

  private async openServiceBound(budget: Budget): Promise<LdapConnection> {
    const conn = await this.open(budget);
    const { serviceBindName, serviceBindPassword, counters } = this.opts;
    counters.serviceBinds += 1;
    try {
      await budget.race(conn.client.bind(new VerbatimDn(serviceBindName), serviceBindPassword), () => conn.destroy());
    } catch (err) {
      conn.destroy();
      throw err instanceof BudgetExpired ? err : new StageError('service-bind', err);
    }
    return conn;
  }

  private async bindConnection(budget: Budget): Promise<{ conn: LdapConnection; reused: boolean }> {
    for (let conn = this.idleBinds.pop(); conn !== undefined; conn = this.idleBinds.pop()) {
      if (usable(conn)) return { conn, reused: true };
      void conn.close();
    }
    return { conn: await this.open(budget), reused: false };
  }

  /** Opens a connection; a timeout here is a connect failure (spec §2.2 step 11: before the user bind started). */
  private async open(budget: Budget): Promise<LdapConnection> {
    try {
      return await openLdapConnection(this.opts.endpoint, budget, this.opts.counters);
    } catch (err) {
      throw err instanceof BudgetExpired && err.reason === 'aborted' ? err : new StageError('connect', err);
    }
  }

  private release(conn: LdapConnection): void {
    if (this.closed || !conn.alive || this.idleBinds.length >= MAX_IDLE_BIND) {
      void conn.close();
      return;
    }
    conn.idleSince = Date.now();
    this.idleBinds.push(conn);
  }

  private forget(conn: LdapConnection): void {
    const i = this.searchConns.indexOf(conn);
    if (i >= 0) this.searchConns.splice(i, 1);
  }

  /** After one pooled bind connection turned out dead, the others (same age, same server) likely are too. */
  private drainIdleBinds(): void {
    for (const conn of this.idleBinds.splice(0)) conn.destroy();
  }
}

function usable(conn: LdapConnection): boolean {
  return conn.alive && Date.now() - conn.idleSince < MAX_IDLE_MS;
}

/** A socket-level failure (reset, closed, TLS) rather than an LDAP answer or our own timeout. */
function isSocketFailure(err: unknown): boolean {
  return !isLdapResultError(err) && !(err instanceof BudgetExpired);
}
