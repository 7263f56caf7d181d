/**
 * Pure parts of `[ad_client]`: search key rules (spec §2.2 step 4), the filter shape (step 5,
 * §2.3), `ldap_filter` parsing, choosing among several matches (step 7), and objectSid decoding.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BerReader, BerWriter, FilterParser, type AndFilter, type EqualityFilter, type OrFilter } from 'ldapts';
import { groupFilter, parseLdapFilter, searchKeyFor, userSearchFilter } from '../../src/primary/ldap-filter.js';
import { pickEntry } from '../../src/primary/ad-client-attempt.js';
import { decodeSid, ridOf } from '../../src/primary/ldap-sid.js';

describe('searchKeyFor', () => {
  it.each([
    // [User-Name, username_attribute, at_attribute] → [attribute, value, principal]
    ['alice', 'sAMAccountName', 'userPrincipalName', 'sAMAccountName', 'alice', undefined],
    ['EXAMPLE\\alice', 'sAMAccountName', 'userPrincipalName', 'sAMAccountName', 'alice', 'EXAMPLE\\alice'],
    ['EXAMPLE\\alice', 'samaccountname', 'userPrincipalName', 'samaccountname', 'alice', 'EXAMPLE\\alice'],
    ['A\\B\\c', 'sAMAccountName', 'userPrincipalName', 'sAMAccountName', 'B\\c', 'A\\B\\c'],
    ['EXAMPLE\\alice', 'uid', 'userPrincipalName', 'uid', 'EXAMPLE\\alice', undefined],
    ['alice@example.com', 'sAMAccountName', 'userPrincipalName', 'userPrincipalName', 'alice@example.com', undefined],
    ['alice@example.com', 'uid', 'mail', 'mail', 'alice@example.com', undefined],
    ['EXAMPLE\\alice@x', 'sAMAccountName', 'userPrincipalName', 'userPrincipalName', 'alice@x', 'EXAMPLE\\alice@x'],
  ])('%s with %s/%s', (name, attr, at, attribute, value, principal) => {
    expect(searchKeyFor(name, attr, at)).toEqual({ attribute, value, principal });
  });
});

describe('userSearchFilter', () => {
  const person =
    '(|(&(objectClass=user)(objectCategory=person))(objectClass=inetOrgPerson)(objectClass=organizationalPerson))';

  it('has the shape of spec §2.2 step 5, without and with the group and extra filters', () => {
    const key = searchKeyFor('alice', 'sAMAccountName', 'userPrincipalName');
    expect(userSearchFilter(key, undefined, undefined).toString()).toBe(`(&(|(sAMAccountName=alice))${person})`);
    const group = groupFilter('CN=duo,DC=x', 1104);
    const extra = FilterParser.parseString('(mail=*)');
    expect(userSearchFilter(key, group, extra).toString()).toBe(
      `(&(|(sAMAccountName=alice))(|(memberOf=CN=duo,DC=x)(primaryGroupID=1104))${person}(mail=*))`,
    );
  });

  it('group filter falls back to memberOf only without a RID', () => {
    expect(groupFilter('CN=g,DC=x', undefined).toString()).toBe('(memberOf=CN=g,DC=x)');
  });

  it('escapes filter metacharacters in the text form and keeps the raw value in BER', () => {
    const key = searchKeyFor('*)(uid=*\\', 'uid', 'mail');
    const filter = userSearchFilter(key, undefined, undefined);
    expect(filter.toString()).toContain('(|(uid=\\2a\\29\\28uid=\\2a\\5c))');
    // Round trip through BER: the decoded filter still has exactly one equality test on uid.
    const writer = new BerWriter();
    filter.write(writer);
    const decoded = FilterParser.parse(new BerReader(writer.buffer)) as AndFilter;
    expect(decoded.toString().toLowerCase()).toBe(filter.toString().toLowerCase());
    const name = (decoded.filters[0] as OrFilter).filters[0] as EqualityFilter;
    expect(name.value).toBe('*)(uid=*\\');
  });

  it('any login name stays one equality assertion (property)', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        const text = userSearchFilter({ attribute: 'uid', value: name, principal: undefined }, undefined, undefined).toString();
        const reparsed = FilterParser.parseString(text);
        expect(reparsed.toString()).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseLdapFilter', () => {
  it('accepts empty (no filter), a filter, and one without outer parentheses', () => {
    expect(parseLdapFilter('')).toEqual({ ok: true, filter: undefined });
    const f = parseLdapFilter('(&(mail=*)(!(cn=x)))');
    expect(f.ok && f.filter?.toString()).toBe('(&(mail=*)(!(cn=x)))');
    const bare = parseLdapFilter('mail=a@b');
    expect(bare.ok && bare.filter?.toString()).toBe('(mail=a@b)');
  });

  it.each(['(&(mail=x', '(mail=x))', '((', '(=x)'])('reports %s as invalid', (text) => {
    expect(parseLdapFilter(text).ok).toBe(false);
  });
});

describe('pickEntry (spec §2.2 step 7)', () => {
  const a = { dn: 'CN=a1,DC=x', 'msDS-PrincipalName': 'EXAMPLE\\alice' };
  const b = { dn: 'CN=a2,DC=x', 'msds-principalname': 'OTHER\\alice' };

  it('takes the only entry, whatever its principal', () => {
    expect(pickEntry([a], 'OTHER\\alice')).toBe(a);
    expect(pickEntry([a], undefined)).toBe(a);
  });

  it('with several entries picks by msDS-PrincipalName, case-insensitively, only for DOMAIN\\user', () => {
    expect(pickEntry([a, b], 'other\\ALICE')).toBe(b);
    expect(pickEntry([a, b], 'THIRD\\alice')).toBeUndefined();
    expect(pickEntry([a, b], undefined)).toBeUndefined();
    expect(pickEntry([], 'EXAMPLE\\alice')).toBeUndefined();
  });
});

/** Binary SID as AD stores it ([MS-DTYP] §2.4.2.2). */
function encodeSid(authority: number, subs: readonly number[]): Buffer {
  const buf = Buffer.alloc(8 + 4 * subs.length);
  buf.writeUInt8(1, 0);
  buf.writeUInt8(subs.length, 1);
  buf.writeUIntBE(authority, 2, 6);
  subs.forEach((s, i) => buf.writeUInt32LE(s, 8 + 4 * i));
  return buf;
}

describe('objectSid', () => {
  it('decodes a domain group SID and takes its RID', () => {
    const sid = decodeSid(encodeSid(5, [21, 2802896582, 1012918418, 1573798475, 1104]));
    expect(sid).toBe('S-1-5-21-2802896582-1012918418-1573798475-1104');
    expect(ridOf(sid ?? '')).toBe(1104);
  });

  it('round-trips any well-formed SID (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 }), fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 15 }), (auth, subs) => {
        expect(decodeSid(encodeSid(auth, subs))).toBe([`S-1-${auth}`, ...subs].join('-'));
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['too short', Buffer.from([1, 0, 0, 0])],
    ['wrong revision', Buffer.from([2, 0, 0, 0, 0, 0, 0, 5])],
    ['count/length mismatch', Buffer.from([1, 2, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0])],
  ])('rejects %s', (_, bytes) => {
    expect(decodeSid(bytes)).toBeUndefined();
  });

  it('ridOf needs a sub-authority', () => {
    expect(ridOf('S-1-5')).toBeUndefined();
    expect(ridOf('S-1-5-32-544')).toBe(544);
  });
});
