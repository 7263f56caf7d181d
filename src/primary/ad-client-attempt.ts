/**
 * One host's part of an `[ad_client]` login (spec §2.2 steps 2.1–2.11): find the user with the
 * service account, then bind as the user. The outcome is either final (accept, `Invalid User`,
 * `User Authentication Failed`) or "this server cannot be used, try the next one".
 */
import type { Filter, Entry } from 'ldapts';
import type { Logger } from '../log/logger.js';
import type { PrimaryResult } from './types.js';
import { Budget, BudgetExpired, VerbatimDn, describeLdapError, isLdapResultError, type LdapConnection } from './ldap-connection.js';
import { groupFilter, userSearchFilter, type SearchKey } from './ldap-filter.js';
import { StageError, type HostPool } from './ldap-pool.js';
import { decodeSid, ridOf } from './ldap-sid.js';

/** Duo's primary messages (spec §5.8). */
export const AD_MESSAGES = {
  accept: 'Active Directory authentication succeeded',
  noPassword: 'No password.',
  invalidUser: 'Invalid User',
  authFailed: 'User Authentication Failed',
  noServer: 'Failed to communicate with any Active Directory server',
} as const;

/** The search settings of the section. */
export interface SearchSettings {
  /** Base DN of the subtree search (`search_dn`). */
  readonly searchDn: string;
  /** `security_group_dn`, or '' for none. */
  readonly securityGroupDn: string;
  /** Parsed `ldap_filter`, if any (and valid). */
  readonly extraFilter: Filter | undefined;
}

/** What one host's attempt decided. */
export type HostOutcome = { readonly kind: 'final'; readonly result: PrimaryResult } | { readonly kind: 'next' };

const final = (status: 'accept' | 'reject', message: string): HostOutcome => ({
  kind: 'final',
  result: { status, message, attributes: [] },
});

/**
 * Runs spec §2.2 step 2 against one host within `budget`. Throws only {@link BudgetExpired}
 * with reason `aborted` (the caller's signal), or on bugs.
 */
export async function attemptHost(
  pool: HostPool,
  host: string,
  key: SearchKey,
  password: string,
  settings: SearchSettings,
  budget: Budget,
  log: Logger,
): Promise<HostOutcome> {
  let dn: string | undefined;
  try {
    dn = await pool.withSearchConnection(budget, (conn) => findUser(conn, key, settings, budget));
  } catch (err) {
    return failover(err, host, log);
  }
  if (dn === undefined) return final('reject', AD_MESSAGES.invalidUser);
  const userDn = dn;
  try {
    await pool.withBindConnection(budget, (conn) =>
      budget.race(conn.client.bind(new VerbatimDn(userDn), password), () => conn.destroy()),
    );
  } catch (err) {
    // Not being able to open a connection for the bind is still "cannot use this server".
    if (err instanceof StageError || isAborted(err)) return failover(err, host, log);
    log.warn(`LDAP Authentication Failed: ${describeLdapError(err)}`);
    return final('reject', AD_MESSAGES.authFailed);
  }
  return final('accept', AD_MESSAGES.accept);
}

function isAborted(err: unknown): boolean {
  return err instanceof BudgetExpired && err.reason === 'aborted';
}

/** Logs why `host` cannot be used, in Duo's words, and asks for the next host. */
function failover(err: unknown, host: string, log: Logger): HostOutcome {
  if (isAborted(err)) throw err;
  if (err instanceof StageError && err.stage === 'service-bind') {
    log.warn(`Initial LDAP bind to AD failed: '${describeLdapError(err.cause)}'`);
  } else if (err instanceof StageError || err instanceof BudgetExpired) {
    const cause = err instanceof StageError ? err.cause : err;
    log.info(`AD server '${host}' could not be used: ${describeLdapError(cause)}`);
    log.warn(`Error sending AD auth request to '${host}'. Trying next fallback host...`);
  } else {
    log.warn(`LDAP search on AD service failed: ${describeLdapError(err)}`);
  }
  return { kind: 'next' };
}

/** Spec §2.2 steps 5–8: the DN of the one matching entry, or undefined (`Invalid User`). */
async function findUser(
  conn: LdapConnection,
  key: SearchKey,
  settings: SearchSettings,
  budget: Budget,
): Promise<string | undefined> {
  const group = settings.securityGroupDn === '' ? undefined : await groupClause(conn, settings.securityGroupDn, budget);
  const filter = userSearchFilter(key, group, settings.extraFilter);
  const search = conn.client.search(settings.searchDn, {
    scope: 'sub',
    filter,
    attributes: [key.attribute, 'msDS-PrincipalName'],
    sizeLimit: 0,
  });
  const { searchEntries } = await budget.race(search, () => conn.destroy());
  return pickEntry(searchEntries, key.principal)?.dn;
}

/**
 * Spec §2.3: reads the group's `objectSid` (base search) to also accept users whose primary
 * group it is. An LDAP error or a missing/invalid SID silently falls back to `memberOf` only;
 * socket failures propagate (the search connection is then unusable anyway).
 */
async function groupClause(conn: LdapConnection, groupDn: string, budget: Budget): Promise<Filter> {
  let rid: number | undefined;
  try {
    const search = conn.client.search(groupDn, {
      scope: 'base',
      attributes: ['objectSid'],
      explicitBufferAttributes: ['objectSid'],
    });
    const { searchEntries } = await budget.race(search, () => conn.destroy());
    const sid = firstValue(searchEntries[0], 'objectSid');
    const text = Buffer.isBuffer(sid) ? decodeSid(sid) : undefined;
    rid = text === undefined ? undefined : ridOf(text);
  } catch (err) {
    if (!isLdapResultError(err)) throw err;
  }
  return groupFilter(groupDn, rid);
}

/**
 * Spec §2.2 step 7: exactly one entry is taken as is; otherwise, for a `DOMAIN\user` login, the
 * entry whose `msDS-PrincipalName` equals it (case-insensitively); otherwise none.
 */
export function pickEntry(entries: readonly Entry[], principal: string | undefined): Entry | undefined {
  if (entries.length === 1) return entries[0];
  if (principal === undefined) return undefined;
  const wanted = principal.toLowerCase();
  return entries.find((e) => values(e, 'msDS-PrincipalName').some((v) => v.toLowerCase() === wanted));
}

/** Values of an attribute, looked up case-insensitively (servers choose the spelling). */
function values(entry: Entry, attribute: string): string[] {
  const v = lookup(entry, attribute);
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : x));
}

function firstValue(entry: Entry | undefined, attribute: string): Buffer | string | undefined {
  const v = entry === undefined ? undefined : lookup(entry, attribute);
  return Array.isArray(v) ? v[0] : v;
}

function lookup(entry: Entry, attribute: string): Entry[string] | undefined {
  const lower = attribute.toLowerCase();
  const name = Object.keys(entry).find((k) => k.toLowerCase() === lower);
  return name === undefined ? undefined : entry[name];
}
