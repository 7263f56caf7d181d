/**
 * `[ad_client]` against a real OpenLDAP (slapd) on loopback: the three transports, certificate
 * checks, search keys, the group gate, Duo's result messages and log lines, filter injection,
 * and that an empty password causes no LDAP traffic at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCa } from '../support/test-ca.js';
import { startSlapd, type SlapdHandle } from '../harness/slapd.js';
import { hasCode } from '../../src/errors.js';
import type { AdClientOptions } from '../../src/primary/ad-client.js';
import { NEVER, allSinks, login, logSince, makeClient, startSilentServer, slapdOptions } from './ad-client-fixtures.js';

let slapd: SlapdHandle;
let scratch: string;

beforeAll(async () => {
  slapd = await startSlapd();
  scratch = mkdtempSync(join(tmpdir(), 'authproxy-adtest-'));
});
afterAll(async () => {
  await slapd?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** slapd options with a 5 s per-host timeout. */
function base(over: Partial<Omit<AdClientOptions, 'log' | 'name'>> = {}): Omit<AdClientOptions, 'log' | 'name'> {
  return slapdOptions(slapd, { timeoutSec: 5, ...over });
}

async function once(over: Parameters<typeof base>[0], user: string, password: string | undefined) {
  const { client, texts } = makeClient(base(over));
  try {
    const result = await client.authenticate(login(user, password), NEVER);
    return { result, texts: texts(), stats: client.stats };
  } finally {
    await client.close();
  }
}

const ACCEPT = { status: 'accept', message: 'Active Directory authentication succeeded', attributes: [] };
const reject = (message: string) => ({ status: 'reject', message, attributes: [] });

/** Security strength factors slapd logged for the user binds after `before`. */
function bindSsf(before: number, userDn: string): number[] {
  return logSince(slapd.log(), before)
    .filter((l) => l.includes(`BIND dn="${userDn}" mech=SIMPLE`))
    .map((l) => Number(/ ssf=(\d+)/.exec(l)?.[1]));
}

describe('transports', () => {
  it('clear: accepts alice with her password; the bind travels unencrypted (ssf=0)', async () => {
    const before = slapd.log().length;
    const { result, texts } = await once({}, 'alice', 'alicepw');
    expect(result).toEqual(ACCEPT);
    expect(texts).toContain("Sending AD authentication request for 'alice' to '127.0.0.1'");
    expect(texts.some((t) => t.startsWith('WARNING: [ad_client] you have selected cleartext (plain) authentication'))).toBe(true);
    expect(bindSsf(before, slapd.users.alice.dn)).toEqual([0]);
  });

  it('ldaps with the CA file: accepts; the bind is encrypted', async () => {
    const before = slapd.log().length;
    const { result, texts } = await once({ transport: 'ldaps', port: slapd.ldapsPort, caCertsFile: slapd.caFile }, 'alice', 'alicepw');
    expect(result).toEqual(ACCEPT);
    expect(texts.filter((t) => t.startsWith('WARNING'))).toEqual([]);
    const ssf = bindSsf(before, slapd.users.alice.dn);
    expect(ssf).toHaveLength(1);
    expect(ssf[0]).toBeGreaterThan(0);
  });

  it('starttls with the CA file: StartTLS runs before the service bind; binds are encrypted', async () => {
    const before = slapd.log().length;
    const { result } = await once({ transport: 'starttls', caCertsFile: slapd.caFile }, 'alice', 'alicepw');
    expect(result).toEqual(ACCEPT);
    const lines = logSince(slapd.log(), before);
    const startTls = lines.findIndex((l) => l.includes('EXT oid=1.3.6.1.4.1.1466.20037'));
    const serviceBind = lines.findIndex((l) => l.includes(`BIND dn="${slapd.adminDn}" mech=SIMPLE`));
    expect(startTls).toBeGreaterThanOrEqual(0);
    expect(serviceBind).toBeGreaterThan(startTls);
    expect(/ ssf=(\d+)/.exec(lines[serviceBind] ?? '')?.[1]).not.toBe('0');
    expect(bindSsf(before, slapd.users.alice.dn)[0]).toBeGreaterThan(0);
  });

  it('ldaps by host name: the certificate DNS SAN (localhost) is checked and matches', async () => {
    const { result } = await once({ hosts: ['localhost'], transport: 'ldaps', port: slapd.ldapsPort, caCertsFile: slapd.caFile }, 'alice', 'alicepw');
    expect(result).toEqual(ACCEPT);
  });

  it('ldaps with a name the certificate lacks: hostname check fails → next host → total outage', async () => {
    // "127.1" resolves to 127.0.0.1 but is not an IP literal, so it is checked against DNS SANs.
    const opts = { hosts: ['127.1'], transport: 'ldaps' as const, port: slapd.ldapsPort, caCertsFile: slapd.caFile };
    const bad = await once(opts, 'alice', 'alicepw');
    expect(bad.result).toEqual(reject('Failed to communicate with any Active Directory server'));
    expect(bad.texts.some((t) => t.includes("could not be used") && t.includes('altnames'))).toBe(true);
    expect(bad.texts).toContain("Error sending AD auth request to '127.1'. Trying next fallback host...");
    const relaxed = await once({ ...opts, verifyHostname: false }, 'alice', 'alicepw');
    expect(relaxed.result).toEqual(ACCEPT);
    expect(relaxed.texts.some((t) => t.includes('ssl_verify_hostname is false'))).toBe(true);
  });

  it('starttls with a CA that did not sign the server certificate: TLS fails, server not used', async () => {
    const other = createTestCa(join(scratch, 'other-ca'), { hosts: ['127.0.0.1'] });
    const { result, texts } = await once({ transport: 'starttls', caCertsFile: other.caCertPath }, 'alice', 'alicepw');
    expect(result).toEqual(reject('Failed to communicate with any Active Directory server'));
    expect(texts).toContain("Error sending AD auth request to '127.0.0.1'. Trying next fallback host...");
    expect(texts.at(-1)).toBe('No remaining AD fallback hosts; returning authentication failure...');
  });

  it('without a CA file the certificate is not checked (as Duo), and a WARNING says so', async () => {
    const { result, texts } = await once({ transport: 'ldaps', port: slapd.ldapsPort }, 'alice', 'alicepw');
    expect(result).toEqual(ACCEPT);
    expect(texts.some((t) => t.startsWith('WARNING') && t.includes('not verified'))).toBe(true);
  });

  it('an unreadable CA file makes start() fail with AP_ERR_LDAP_CA_FILE', async () => {
    const { client } = makeClient(base({ transport: 'ldaps', caCertsFile: join(scratch, 'missing.pem') }));
    const err = await client.start().catch((e: unknown) => e);
    expect(hasCode(err, 'AP_ERR_LDAP_CA_FILE')).toBe(true);
    await client.close();
  });
});

describe('search key, group gate and results', () => {
  it('wrong password → User Authentication Failed (final), logged as LDAP Authentication Failed', async () => {
    const { result, texts } = await once({ hosts: ['127.0.0.1', '127.0.0.1'] }, 'alice', 'wrong');
    expect(result).toEqual(reject('User Authentication Failed'));
    expect(texts.filter((t) => t.startsWith('Sending AD authentication request'))).toHaveLength(1);
    expect(texts).toContain('LDAP Authentication Failed: InvalidCredentialsError (49)');
  });

  it('unknown user → Invalid User (final, no further hosts)', async () => {
    const { result, texts } = await once({ hosts: ['127.0.0.1', '127.0.0.1'] }, 'mallory', 'x');
    expect(result).toEqual(reject('Invalid User'));
    expect(texts.filter((t) => t.startsWith('Sending AD authentication request'))).toHaveLength(1);
  });

  it('security_group_dn: alice (in duo-users) is accepted, bob (not in it) is Invalid User', async () => {
    const gate = { securityGroupDn: slapd.groups.duoUsers };
    expect((await once(gate, 'alice', 'alicepw')).result).toEqual(ACCEPT);
    expect((await once(gate, 'bob', 'bobpw')).result).toEqual(reject('Invalid User'));
    expect((await once({ securityGroupDn: slapd.groups.other }, 'bob', 'bobpw')).result).toEqual(ACCEPT);
  });

  it('default username_attribute sAMAccountName; DOMAIN\\user is split; user@realm uses userPrincipalName', async () => {
    const ad = { usernameAttribute: 'sAMAccountName' };
    expect((await once(ad, 'alice', 'alicepw')).result).toEqual(ACCEPT);
    expect((await once(ad, 'EXAMPLE\\alice', 'alicepw')).result).toEqual(ACCEPT);
    expect((await once(ad, 'alice@example.com', 'alicepw')).result).toEqual(ACCEPT);
    expect((await once(ad, 'bob', 'bobpw')).result).toEqual(reject('Invalid User')); // bob has no sAMAccountName
  });

  it('DOMAIN\\user is not split when username_attribute is not sAMAccountName', async () => {
    expect((await once({}, 'EXAMPLE\\alice', 'alicepw')).result).toEqual(reject('Invalid User'));
  });

  it('service account by bind_dn; the username is then not used for the bind', async () => {
    const { result } = await once({ serviceAccountUsername: 'ignored', bindDn: slapd.adminDn }, 'alice', 'alicepw');
    expect(result).toEqual(ACCEPT);
  });

  it('filter metacharacters in the name are matched literally (RFC 4515 escaping / BER value)', async () => {
    const before = slapd.log().length;
    for (const name of ['*', 'al*', 'alice)(uid=alice', '*)(|(uid=*', 'alice\\', 'alice\u0000']) {
      expect((await once({}, name, 'alicepw')).result).toEqual(reject('Invalid User'));
    }
    const filters = logSince(slapd.log(), before).filter((l) => l.includes('SRCH base="dc=example,dc=com"'));
    expect(filters.some((l) => l.includes('filter="(&(|(uid=al\\2A))'))).toBe(true);
    expect(filters.some((l) => l.includes('(uid=alice\\29\\28uid=alice)'))).toBe(true);
  });

  it('ldap_filter is AND-ed into the search', async () => {
    const f = { ldapFilter: '(mail=alice@example.com)' };
    expect((await once(f, 'alice', 'alicepw')).result).toEqual(ACCEPT);
    expect((await once(f, 'bob', 'bobpw')).result).toEqual(reject('Invalid User'));
  });

  it('an ldap_filter that does not parse is logged as Invalid LDAP Filter and ignored', async () => {
    const { result, texts } = await once({ ldapFilter: '(&(mail=x' }, 'bob', 'bobpw');
    expect(result).toEqual(ACCEPT);
    expect(texts.some((t) => t.startsWith('Invalid LDAP Filter: (&(mail=x'))).toBe(true);
  });

  it('service bind refused → Initial LDAP bind to AD failed → next host → total outage', async () => {
    const { result, texts } = await once({ serviceAccountPassword: 'not-the-password' }, 'alice', 'alicepw');
    expect(result).toEqual(reject('Failed to communicate with any Active Directory server'));
    expect(texts).toContain("Initial LDAP bind to AD failed: 'InvalidCredentialsError (49)'");
    expect(texts.at(-1)).toBe('No remaining AD fallback hosts; returning authentication failure...');
  });

  it('search error (bad search_dn) → LDAP search on AD service failed → next host', async () => {
    const { result, texts } = await once({ searchDn: 'dc=nowhere,dc=test' }, 'alice', 'alicepw');
    expect(result).toEqual(reject('Failed to communicate with any Active Directory server'));
    expect(texts.some((t) => t.startsWith('LDAP search on AD service failed: NoSuchObjectError (32)'))).toBe(true);
  });
});

describe('empty password', () => {
  it('is rejected with No password. before any connection is made', async () => {
    const listener = await startSilentServer('127.0.0.1');
    try {
      const { client, texts } = makeClient(base({ port: listener.port, timeoutSec: 1 }));
      expect(await client.authenticate(login('alice', ''), NEVER)).toEqual(reject('No password.'));
      expect(await client.authenticate(login('alice', undefined), NEVER)).toEqual(reject('No password.'));
      await new Promise((r) => setTimeout(r, 100));
      expect(listener.accepted).toBe(0);
      expect(client.stats).toEqual({ connects: 0, serviceBinds: 0 });
      expect(texts().filter((t) => t.startsWith('Sending'))).toEqual([]);
      // The same client with a password does reach the listener: the counter above can count.
      await client.authenticate(login('alice', 'alicepw'), NEVER);
      expect(listener.accepted).toBe(1);
      await client.close();
    } finally {
      await listener.close();
    }
  });
});

describe('logs', () => {
  it('never contain a password or the service account password', () => {
    const all = allSinks.flatMap((s) => s.lines).join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of ['alicepw', 'bobpw', slapd.adminPw, 'not-the-password']) expect(all).not.toContain(secret);
  });
});
