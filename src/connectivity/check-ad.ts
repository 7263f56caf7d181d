/**
 * Connectivity checks of an `[ad_client]` section (spec §8.2), per host in order: TCP connect;
 * the TLS handshake for `ldaps`/`starttls` (with the section's certificate policy); the service
 * bind (`The Auth Proxy was able to bind as <user>.`); and a subtree search of `search_dn` for
 * user entries, expecting at least one. A failed step skips the steps after it on that host.
 * The service password is only ever passed to ldapts' bind, never into a line.
 */
import { readFile } from 'node:fs/promises';
import { AndFilter, EqualityFilter, OrFilter, PresenceFilter, type Filter } from 'ldapts';
import type { AdClientSection } from '../config/types.js';
import { Budget, BudgetExpired, VerbatimDn, describeLdapError, openLdapConnection, type LdapConnection, type LdapEndpoint } from '../primary/ldap-connection.js';
import { parseLdapFilter } from '../primary/ldap-filter.js';
import { resolveConfFile } from '../server/build.js';
import { tcpProbe } from './check-main.js';
import { error, info, warn, type CheckLine } from './report.js';

/** LDAP result code sizeLimitExceeded (RFC 4511 §4.1.9): more entries than asked for — fine here. */
const SIZE_LIMIT_EXCEEDED = 4;

/** Runs every check for every host of the section. */
export async function checkAdClient(section: AdClientSection, installDir: string): Promise<CheckLine[]> {
  let ca: Buffer | undefined;
  if (section.sslCaCertsFile !== undefined) {
    const file = resolveConfFile(installDir, section.sslCaCertsFile);
    try {
      ca = await readFile(file);
    } catch (err) {
      return [error(`The Auth Proxy could not read ssl_ca_certs_file ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}). Point ssl_ca_certs_file at a readable PEM file.`)];
    }
  }
  const out: CheckLine[] = [];
  for (const host of section.hosts) {
    const endpoint: LdapEndpoint = { host, port: section.port, transport: section.transport, tls: { ca, verifyHostname: section.sslVerifyHostname } };
    out.push(...(await checkHost(section, endpoint)));
  }
  return out;
}

async function checkHost(section: AdClientSection, endpoint: LdapEndpoint): Promise<CheckLine[]> {
  const where = `${endpoint.host}:${endpoint.port}`;
  const tcp = await tcpProbe(endpoint.host, endpoint.port, section.timeout * 1000);
  if (tcp !== undefined) {
    return [error(`The Auth Proxy could not connect to ${where} (${tcp}). Check host and port, that the directory server is running, and that firewalls allow the connection.`)];
  }
  const lines = [info(`The Auth Proxy was able to establish a TCP connection to ${where}.`)];
  const budget = new Budget(Date.now() + section.timeout * 1000, new AbortController().signal);
  let conn: LdapConnection;
  try {
    conn = await openLdapConnection(endpoint, budget, { connects: 0, serviceBinds: 0 });
  } catch (err) {
    lines.push(error(`The Auth Proxy could not establish ${tlsName(endpoint)} connection to ${where} (${reason(err)}). Check transport, ssl_ca_certs_file and ssl_verify_hostname.`));
    return lines;
  }
  try {
    if (endpoint.transport !== 'clear') lines.push(info(`The Auth Proxy was able to establish ${tlsName(endpoint)} connection to ${where}.`));
    lines.push(...(await bindAndSearch(section, conn, budget)));
  } finally {
    await conn.close();
  }
  return lines;
}

async function bindAndSearch(section: AdClientSection, conn: LdapConnection, budget: Budget): Promise<CheckLine[]> {
  const user = section.bindDn !== '' ? section.bindDn : section.serviceAccountUsername;
  try {
    await budget.race(conn.client.bind(new VerbatimDn(user), section.serviceAccountPassword), () => conn.destroy());
  } catch (err) {
    return [error(`The Auth Proxy was unable to bind as ${user} (${reason(err)}). Check service_account_username${section.bindDn !== '' ? ', bind_dn' : ''} and service_account_password.`)];
  }
  const lines = [info(`The Auth Proxy was able to bind as ${user}.`)];
  const filter = userFilter(section);
  if (typeof filter === 'string') return [...lines, warn(filter)];
  try {
    const search = conn.client.search(section.searchDn, { scope: 'sub', filter, attributes: ['dn'], sizeLimit: 1 });
    const { searchEntries } = await budget.race(search, () => conn.destroy());
    if (searchEntries.length === 0) {
      return [...lines, error(`The Auth Proxy searched ${section.searchDn} for users with ${section.usernameAttribute} and found none. Check search_dn, username_attribute and ldap_filter.`)];
    }
  } catch (err) {
    if ((err as { code?: unknown }).code !== SIZE_LIMIT_EXCEEDED) {
      return [...lines, error(`The Auth Proxy could not search ${section.searchDn} (${reason(err)}). Check search_dn and that ${user} may read it.`)];
    }
  }
  return [...lines, info(`The Auth Proxy was able to search ${section.searchDn} and found at least one user.`)];
}

/**
 * User entries with a `username_attribute` value, as a login search would find them (the
 * person clause of spec §2.2 step 5 plus `ldap_filter`); a string when `ldap_filter` is invalid.
 */
function userFilter(section: AdClientSection): Filter | string {
  const extra = parseLdapFilter(section.ldapFilter);
  if (!extra.ok) return `The ldap_filter value is not a valid LDAP filter (${extra.error}); the search check was skipped.`;
  const eq = (attribute: string, value: string): Filter => new EqualityFilter({ attribute, value });
  const person = new OrFilter({
    filters: [new AndFilter({ filters: [eq('objectClass', 'user'), eq('objectCategory', 'person')] }), eq('objectClass', 'inetOrgPerson'), eq('objectClass', 'organizationalPerson')],
  });
  const filters: Filter[] = [new PresenceFilter({ attribute: section.usernameAttribute }), person];
  if (extra.filter) filters.push(extra.filter);
  return new AndFilter({ filters });
}

function tlsName(endpoint: LdapEndpoint): string {
  return endpoint.transport === 'ldaps' ? 'an LDAPS' : endpoint.transport === 'starttls' ? 'a StartTLS' : 'an LDAP';
}

function reason(err: unknown): string {
  if (err instanceof BudgetExpired) return 'no answer within the section timeout';
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' && !(err instanceof Error && err.message.includes(code)) ? `${code}: ${describeLdapError(err)}` : describeLdapError(err);
}
