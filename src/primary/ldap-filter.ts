/**
 * The user search of `[ad_client]` (spec §2.2 steps 4–5, §2.3): which attribute the login name is
 * matched on, and the filter around it. Filters are built from ldapts filter objects, so the
 * login name travels BER-encoded as an assertion value (RFC 4511 §4.5.1.7) and can never change
 * the filter's structure; the text form ({@link Filter.toString}) is escaped per RFC 4515 §3 and
 * is only used for logs.
 */
import { AndFilter, EqualityFilter, FilterParser, OrFilter, type Filter } from 'ldapts';

/** What the user search matches on, worked out from the RADIUS User-Name. */
export interface SearchKey {
  /** Attribute compared with {@link value}: `username_attribute` or, for names with `@`, `at_attribute`. */
  readonly attribute: string;
  /** The name as compared (the part after `DOMAIN\`, or the whole User-Name). */
  readonly value: string;
  /** The full `DOMAIN\user` when the name was split (used to pick among several matches). */
  readonly principal: string | undefined;
}

/**
 * Spec §2.2 step 4: `DOMAIN\user` is split at the first `\` only when `username_attribute` is
 * `sAMAccountName` (case-insensitive); a (remaining) name containing `@` is matched whole,
 * including `@domain`, on `at_attribute`.
 */
export function searchKeyFor(username: string, usernameAttribute: string, atAttribute: string): SearchKey {
  let value = username;
  let principal: string | undefined;
  const slash = username.indexOf('\\');
  if (usernameAttribute.toLowerCase() === 'samaccountname' && slash >= 0) {
    value = username.slice(slash + 1);
    principal = username;
  }
  const attribute = value.includes('@') ? atAttribute : usernameAttribute;
  return { attribute, value, principal };
}

const eq = (attribute: string, value: string): Filter => new EqualityFilter({ attribute, value });

/** `(|(&(objectClass=user)(objectCategory=person))(objectClass=inetOrgPerson)(objectClass=organizationalPerson))` */
function personFilter(): Filter {
  return new OrFilter({
    filters: [
      new AndFilter({ filters: [eq('objectClass', 'user'), eq('objectCategory', 'person')] }),
      eq('objectClass', 'inetOrgPerson'),
      eq('objectClass', 'organizationalPerson'),
    ],
  });
}

/**
 * Spec §2.3: `(|(memberOf=<dn>)(primaryGroupID=<rid>))` when the group's RID is known, else
 * `(memberOf=<dn>)`. Direct membership only.
 */
export function groupFilter(groupDn: string, rid: number | undefined): Filter {
  if (rid === undefined) return eq('memberOf', groupDn);
  return new OrFilter({ filters: [eq('memberOf', groupDn), eq('primaryGroupID', String(rid))] });
}

/**
 * Spec §2.2 step 5: `(&(|(<attr>=<name>))[group](person filter)[ldap_filter])`.
 */
export function userSearchFilter(key: SearchKey, group: Filter | undefined, extra: Filter | undefined): Filter {
  const filters: Filter[] = [new OrFilter({ filters: [eq(key.attribute, key.value)] })];
  if (group !== undefined) filters.push(group);
  filters.push(personFilter());
  if (extra !== undefined) filters.push(extra);
  return new AndFilter({ filters });
}

/** Result of parsing the configured `ldap_filter`. */
export type ParsedLdapFilter =
  | { readonly ok: true; readonly filter: Filter | undefined }
  | { readonly ok: false; readonly error: string };

/**
 * Parses `ldap_filter` (RFC 4515 text; ldapts adds the outer parentheses when missing). An empty
 * value means no extra filter. A value that does not parse is reported, and the caller logs
 * `Invalid LDAP Filter: …` and searches without it (spec §2.1).
 */
export function parseLdapFilter(text: string): ParsedLdapFilter {
  if (text.trim() === '') return { ok: true, filter: undefined };
  try {
    return { ok: true, filter: FilterParser.parseString(text) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
