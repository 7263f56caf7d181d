/**
 * `[ad_client]`: primary authentication against Active Directory or any LDAP directory
 * (spec §2). The service account finds the user (subtree search of `search_dn`, optionally
 * restricted to direct members of `security_group_dn`), then the user's password is checked by
 * binding as the entry's DN. Hosts are tried in order; only "cannot use this server" failures
 * move on to the next host (spec §10 item 20).
 *
 * **Binds are LDAP simple binds only.** Duo's `auth_type=ntlm1|ntlm2|sspi` (NTLM inside SASL
 * GSS-SPNEGO) is not implemented: with those settings authproxy still does simple binds and logs
 * a start-up warning. Active Directory accepts simple binds of a DN, `user@realm` or
 * `DOMAIN\user` — over TLS (`transport=ldaps|starttls`) unless the DC's "require strong auth"
 * policy is off — so such configurations keep working, with the passwords protected by TLS
 * instead of NTLM.
 */
import { readFile } from 'node:fs/promises';
import { AuthproxyError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { PrimaryAuthenticator, PrimaryRequest, PrimaryResult } from './types.js';
import { AD_MESSAGES, attemptHost, type SearchSettings } from './ad-client-attempt.js';
import { Budget, BudgetExpired, type ConnectionCounters, type LdapTransport } from './ldap-connection.js';
import { parseLdapFilter, searchKeyFor, type ParsedLdapFilter } from './ldap-filter.js';
import { HostPool } from './ldap-pool.js';

/** `auth_type` values of Duo's proxy; only `plain` is implemented (see the module comment). */
export type AdAuthType = 'plain' | 'ntlm1' | 'ntlm2' | 'sspi';

/** Settings of one `[ad_client]` section, already parsed (defaults as in spec §2.1). */
export interface AdClientOptions {
  /** Lower-cased section name, e.g. `ad_client`. */
  readonly name: string;
  /** `host`, then the `host_N` values in numeric order. */
  readonly hosts: readonly string[];
  /** Default 389, or 636 when `transport` is `ldaps`. */
  readonly port?: number;
  /** Default `clear`. */
  readonly transport?: LdapTransport;
  /** PEM CA file (already resolved against `conf/`); without it no certificate check happens. */
  readonly caCertsFile?: string | undefined;
  /** With a CA file: also check the server name (default true). */
  readonly verifyHostname?: boolean;
  readonly serviceAccountUsername: string;
  readonly serviceAccountPassword: string;
  readonly searchDn: string;
  /** Default '' (no group restriction). */
  readonly securityGroupDn?: string;
  /** DN for the service bind; '' (default) = `serviceAccountUsername` as given. */
  readonly bindDn?: string;
  /** Default `sAMAccountName`. */
  readonly usernameAttribute?: string;
  /** Default `userPrincipalName`. */
  readonly atAttribute?: string;
  /** Default '' (none). */
  readonly ldapFilter?: string;
  /** Per-host budget in seconds: connect timeout and whole attempt (default 10). */
  readonly timeoutSec?: number;
  /** Default `plain` here; the config layer passes Duo's default (`ntlm2`) when the key is absent. */
  readonly authType?: AdAuthType;
  /** Only used by NTLM binds, which are not implemented; kept for the start-up warning. */
  readonly ntlmDomain?: string;
  readonly log: Logger;
}

/** Connection counters of an {@link AdClient}, summed over its hosts (for tests and metrics). */
export type AdClientStats = Readonly<ConnectionCounters>;

/** `[ad_client]` as a {@link PrimaryAuthenticator} (spec §2.2). Construction does no I/O. */
export class AdClient implements PrimaryAuthenticator {
  readonly kind = 'ad_client' as const;
  readonly name: string;
  private readonly opts: AdClientOptions;
  private readonly log: Logger;
  private readonly counters: ConnectionCounters = { connects: 0, serviceBinds: 0 };
  private readonly filter: ParsedLdapFilter;
  private pools: { readonly host: string; readonly pool: HostPool }[] | undefined;
  private starting: Promise<void> | undefined;
  private closed = false;

  constructor(opts: AdClientOptions) {
    if (opts.hosts.length === 0) throw new TypeError('ad_client needs at least one host');
    this.opts = opts;
    this.name = opts.name;
    this.log = opts.log;
    this.filter = parseLdapFilter(opts.ldapFilter ?? '');
  }

  /** TCP connections opened and service binds sent so far. */
  get stats(): AdClientStats {
    return { ...this.counters };
  }

  /**
   * Reads the CA file (a failure is fatal: {@link AuthproxyError} `AP_ERR_LDAP_CA_FILE`) and logs
   * the start-up warnings. Opens no connection: pools fill on first use.
   */
  start(): Promise<void> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  /**
   * One login (spec §2.2). Never reports `unavailable`: a total outage is the reject
   * `Failed to communicate with any Active Directory server`. When `signal` aborts, the
   * connection in use is destroyed and the promise rejects with the signal's reason.
   */
  async authenticate(request: PrimaryRequest, signal: AbortSignal): Promise<PrimaryResult> {
    // Spec §2.2 step 1 / §10 item 18: an empty password would be an unauthenticated simple bind
    // (RFC 4513 §5.1.2), which servers answer with success; refuse before any LDAP traffic.
    if (request.password === undefined || request.password === '') return reject(AD_MESSAGES.noPassword);
    await this.start();
    if (this.closed || this.pools === undefined) throw new Error(`${this.name} is closed`);
    if (!this.filter.ok) this.log.warn(`Invalid LDAP Filter: ${this.opts.ldapFilter ?? ''} (${this.filter.error})`);
    const key = searchKeyFor(request.username, this.opts.usernameAttribute ?? 'sAMAccountName', this.opts.atAttribute ?? 'userPrincipalName');
    const settings = this.searchSettings();
    const timeoutMs = (this.opts.timeoutSec ?? 10) * 1000;
    for (const { host, pool } of this.pools) {
      this.log.info(`Sending AD authentication request for '${request.username}' to '${host}'`);
      const budget = new Budget(Date.now() + timeoutMs, signal);
      try {
        const outcome = await attemptHost(pool, host, key, request.password, settings, budget, this.log);
        if (outcome.kind === 'final') return outcome.result;
      } catch (err) {
        if (err instanceof BudgetExpired && err.reason === 'aborted') throw signal.reason ?? err;
        throw err;
      }
    }
    this.log.warn('No remaining AD fallback hosts; returning authentication failure...');
    return reject(AD_MESSAGES.noServer);
  }

  /** Unbinds and closes every pooled connection. Safe before, during and after `start()`. */
  async close(): Promise<void> {
    this.closed = true;
    await this.starting?.catch(() => undefined);
    await Promise.all((this.pools ?? []).map(({ pool }) => pool.close()));
  }

  private async doStart(): Promise<void> {
    const ca = await this.loadCa();
    const transport = this.opts.transport ?? 'clear';
    const port = this.opts.port ?? (transport === 'ldaps' ? 636 : 389);
    const tls = { ca, verifyHostname: this.opts.verifyHostname ?? true };
    const serviceBindName = this.opts.bindDn !== undefined && this.opts.bindDn !== '' ? this.opts.bindDn : this.opts.serviceAccountUsername;
    // An array, not a map: a host listed twice is tried twice, as in Duo's proxy.
    this.pools = this.opts.hosts.map((host) => ({
      host,
      pool: new HostPool({
        endpoint: { host, port, transport, tls },
        serviceBindName,
        serviceBindPassword: this.opts.serviceAccountPassword,
        counters: this.counters,
      }),
    }));
    this.warnAtStart(transport, ca !== undefined);
  }

  private async loadCa(): Promise<Buffer | undefined> {
    const file = this.opts.caCertsFile;
    if (file === undefined || file === '') return undefined;
    try {
      return await readFile(file);
    } catch (err) {
      throw new AuthproxyError('AP_ERR_LDAP_CA_FILE', `[${this.name}] cannot read ssl_ca_certs_file '${file}'`, { cause: err });
    }
  }

  private warnAtStart(transport: LdapTransport, hasCa: boolean): void {
    const authType = this.opts.authType ?? 'plain';
    if (authType !== 'plain') {
      this.log.warn(
        `WARNING: [${this.name}] auth_type=${authType} is not implemented: the service account and users are ` +
          'authenticated with LDAP simple binds instead (Active Directory accepts simple binds of a DN, ' +
          'user@realm or DOMAIN\\user). Use transport=ldaps or transport=starttls so that passwords are encrypted.',
      );
    }
    if (transport === 'clear') {
      this.log.warn(
        `WARNING: [${this.name}] you have selected cleartext (plain) authentication over an unencrypted ` +
          'connection. THIS IS A VERY BAD IDEA: passwords are sent over the network in the clear. ' +
          'Use transport=ldaps or transport=starttls.',
      );
    } else if (!hasCa) {
      this.log.warn(
        `WARNING: [${this.name}] no ssl_ca_certs_file: the directory server's TLS certificate is not verified.`,
      );
    } else if (this.opts.verifyHostname === false) {
      this.log.warn(
        `WARNING: [${this.name}] ssl_verify_hostname is false: the directory server's certificate name is not checked.`,
      );
    }
  }

  private searchSettings(): SearchSettings {
    return {
      searchDn: this.opts.searchDn,
      securityGroupDn: this.opts.securityGroupDn ?? '',
      extraFilter: this.filter.ok ? this.filter.filter : undefined,
    };
  }
}

function reject(message: string): PrimaryResult {
  return { status: 'reject', message, attributes: [] };
}
