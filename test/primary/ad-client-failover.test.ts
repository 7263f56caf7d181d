/**
 * `[ad_client]` host failover, the per-host budget, connection reuse and recovery from a
 * restarted server, against a real slapd plus hostile TCP peers on other loopback addresses
 * (all hosts share one port, as in Duo's config: 127.0.0.2 refuses, 127.0.0.3 never answers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlapd, type SlapdHandle } from '../harness/slapd.js';
import { waitFor } from '../harness/common.js';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { Budget, VerbatimDn, openLdapConnection } from '../../src/primary/ldap-connection.js';
import type { AdClientOptions } from '../../src/primary/ad-client.js';
import {
  NEVER,
  login,
  logSince,
  makeClient,
  startResettingProxy,
  startSilentServer,
  type SilentServer,
  slapdOptions,
} from './ad-client-fixtures.js';

const REFUSING = '127.0.0.2';
const SILENT = '127.0.0.3';
const ACCEPT = { status: 'accept', message: 'Active Directory authentication succeeded', attributes: [] };
const OUTAGE = { status: 'reject', message: 'Failed to communicate with any Active Directory server', attributes: [] };

let slapd: SlapdHandle;
let silent: SilentServer;

beforeAll(async () => {
  slapd = await startSlapd();
  silent = await startSilentServer(SILENT, slapd.port);
});
afterAll(async () => {
  await silent?.close();
  await slapd?.stop();
});

/** slapd options with a 1 s per-host timeout. */
function options(over: Partial<Omit<AdClientOptions, 'log' | 'name'>> = {}): Omit<AdClientOptions, 'log' | 'name'> {
  return slapdOptions(slapd, { timeoutSec: 1, ...over });
}

describe('failover', () => {
  it('refused and silent hosts are skipped; the third host answers within one per-host timeout', async () => {
    const { client, texts } = makeClient(options({ hosts: [REFUSING, SILENT, '127.0.0.1'] }));
    const started = Date.now();
    const result = await client.authenticate(login('alice', 'alicepw'), NEVER);
    const elapsed = Date.now() - started;
    await client.close();
    expect(result).toEqual(ACCEPT);
    // The silent host costs its whole budget (1 s), the refused one almost nothing.
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(1000 + 1500);
    expect(texts().filter((t) => !t.startsWith('WARNING') && !t.includes('could not be used'))).toEqual([
      `Sending AD authentication request for 'alice' to '${REFUSING}'`,
      `Error sending AD auth request to '${REFUSING}'. Trying next fallback host...`,
      `Sending AD authentication request for 'alice' to '${SILENT}'`,
      `Error sending AD auth request to '${SILENT}'. Trying next fallback host...`,
      "Sending AD authentication request for 'alice' to '127.0.0.1'",
    ]);
    expect(texts()).toContain(`AD server '${REFUSING}' could not be used: Error: connect ECONNREFUSED ${REFUSING}:${slapd.port}`);
    expect(texts()).toContain(`AD server '${SILENT}' could not be used: BudgetExpired: per-host timeout expired`);
  });

  it('every host unusable → reject Failed to communicate with any Active Directory server', async () => {
    const { client, texts } = makeClient(options({ hosts: [REFUSING, SILENT] }));
    const result = await client.authenticate(login('alice', 'alicepw'), NEVER);
    await client.close();
    expect(result).toEqual(OUTAGE);
    expect(texts().at(-1)).toBe('No remaining AD fallback hosts; returning authentication failure...');
  });

  it('a wrong password on the first working host is final: the next host is not asked', async () => {
    const { client, texts } = makeClient(options({ hosts: ['127.0.0.1', SILENT] }));
    const result = await client.authenticate(login('alice', 'nope'), NEVER);
    await client.close();
    expect(result).toEqual({ status: 'reject', message: 'User Authentication Failed', attributes: [] });
    expect(texts().some((t) => t.includes(SILENT))).toBe(false);
  });

  it('a timeout while opening the user-bind connection (TLS never completes) is "cannot use this server", not a failed login', async () => {
    // Only the first connection (the search connection) reaches slapd; the bind connection's TLS handshake hangs.
    const proxy = await startResettingProxy('127.0.0.1', { host: '127.0.0.1', port: slapd.ldapsPort }, 1);
    const { client, texts } = makeClient(options({ transport: 'ldaps', port: proxy.port, caCertsFile: slapd.caFile }));
    try {
      expect(await client.authenticate(login('alice', 'alicepw'), NEVER)).toEqual(OUTAGE);
      expect(texts()).toContain("Error sending AD auth request to '127.0.0.1'. Trying next fallback host...");
      expect(texts().some((t) => t.startsWith('LDAP Authentication Failed'))).toBe(false);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it('a server refusing StartTLS (protocolError) is not used, and nothing is sent in the clear', async () => {
    // ExtendedResponse: SEQUENCE { messageID 1, [APPLICATION 24] { resultCode 2, matchedDN "", diagnosticMessage "" } }
    const refusal = Buffer.from('300c02010178070a0102040004 00'.replace(/ /g, ''), 'hex');
    const received: Buffer[] = [];
    const server = createServer((s) => s.on('data', (d) => received.push(d) && s.write(refusal)).on('error', () => undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const { client, texts } = makeClient(options({ transport: 'starttls', port }));
    try {
      expect(await client.authenticate(login('alice', 'alicepw'), NEVER)).toEqual(OUTAGE);
      expect(texts()).toContain("AD server '127.0.0.1' could not be used: ProtocolError (2)");
      expect(Buffer.concat(received).includes('alicepw')).toBe(false);
      expect(Buffer.concat(received).includes(slapd.adminPw)).toBe(false);
    } finally {
      await client.close();
      await new Promise((r) => server.close(r));
    }
  });

  it('an aborted signal ends a pending attempt at once with the signal reason', async () => {
    const { client } = makeClient(options({ hosts: [SILENT], timeoutSec: 30 }));
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('shutting down')), 100);
    const started = Date.now();
    await expect(client.authenticate(login('alice', 'alicepw'), ac.signal)).rejects.toThrow('shutting down');
    expect(Date.now() - started).toBeLessThan(5000);
    await client.close();
  });
});

describe('connection reuse', () => {
  it('five logins: one search and one bind connection, one service bind (client counters and slapd log)', async () => {
    const before = slapd.log().length;
    const { client } = makeClient(options());
    for (let i = 0; i < 5; i += 1) expect(await client.authenticate(login('alice', 'alicepw'), NEVER)).toEqual(ACCEPT);
    expect(client.stats).toEqual({ connects: 2, serviceBinds: 1 });
    await client.close();
    const lines = logSince(slapd.log(), before);
    expect(lines.filter((l) => l.includes(' ACCEPT from '))).toHaveLength(2);
    expect(lines.filter((l) => l.includes(`BIND dn="${slapd.adminDn}" method=128`))).toHaveLength(1);
    expect(lines.filter((l) => l.includes(`BIND dn="${slapd.users.alice.dn}" method=128`))).toHaveLength(5);
  });

  it('concurrent logins share the service-bound search connection', async () => {
    const { client } = makeClient(options());
    const burst = (): Promise<unknown[]> =>
      Promise.all(Array.from({ length: 8 }, (_, i) => client.authenticate(login(i % 2 ? 'alice' : 'bob', i % 2 ? 'alicepw' : 'bobpw'), NEVER)));
    expect(await burst()).toEqual(Array(8).fill(ACCEPT));
    const warm = client.stats.serviceBinds;
    expect(await burst()).toEqual(Array(8).fill(ACCEPT));
    expect(client.stats.serviceBinds).toBe(warm);
    await client.close();
  });

  it('pooled connections that reset on next use are replaced within the same attempt', async () => {
    const proxy = await startResettingProxy('127.0.0.1', { host: '127.0.0.1', port: slapd.port });
    const { client, texts } = makeClient(options({ port: proxy.port }));
    try {
      expect(await client.authenticate(login('alice', 'alicepw'), NEVER)).toEqual(ACCEPT);
      expect(client.stats).toEqual({ connects: 2, serviceBinds: 1 });
      proxy.poison();
      expect(await client.authenticate(login('alice', 'alicepw'), NEVER)).toEqual(ACCEPT);
      expect(client.stats).toEqual({ connects: 4, serviceBinds: 2 });
      expect(texts().some((t) => t.includes('Trying next fallback host'))).toBe(false);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it('slapd killed and restarted: outage while down, the next login after restart works', async () => {
    const { client, texts } = makeClient(options());
    try {
      expect(await client.authenticate(login('alice', 'alicepw'), NEVER)).toEqual(ACCEPT);
      await slapd.kill();
      expect(await client.authenticate(login('alice', 'alicepw'), NEVER)).toEqual(OUTAGE);
      await slapd.restart();
      const mark = texts().length;
      expect(await client.authenticate(login('alice', 'alicepw'), NEVER)).toEqual(ACCEPT);
      expect(texts().slice(mark).some((t) => t.includes('Trying next fallback host'))).toBe(false);
    } finally {
      await client.close();
    }
  });

  it('slapd restarted between two logins: the pool reconnects transparently', async () => {
    const { client, texts } = makeClient(options());
    try {
      expect(await client.authenticate(login('alice', 'alicepw'), NEVER)).toEqual(ACCEPT);
      await slapd.restart();
      expect(await client.authenticate(login('alice', 'alicepw'), NEVER)).toEqual(ACCEPT);
      expect(client.stats).toEqual({ connects: 4, serviceBinds: 2 });
      expect(texts().some((t) => t.includes('Trying next fallback host'))).toBe(false);
    } finally {
      await client.close();
    }
  });

  it('a dropped connection is never reopened behind our back (StartTLS would silently be lost)', async () => {
    const counters = { connects: 0, serviceBinds: 0 };
    const endpoint = { host: '127.0.0.1', port: slapd.port, transport: 'starttls' as const, tls: { ca: readFileSync(slapd.caFile), verifyHostname: true } };
    const conn = await openLdapConnection(endpoint, new Budget(Date.now() + 5000, NEVER), counters);
    await conn.client.bind(new VerbatimDn(slapd.adminDn), slapd.adminPw);
    const before = slapd.log().length;
    conn.destroy();
    expect(conn.alive).toBe(false);
    await new Promise((r) => setTimeout(r, 50)); // let ldapts see the close
    await expect(conn.client.bind(new VerbatimDn(slapd.users.alice.dn), 'alicepw')).rejects.toThrow('LDAP connection closed');
    expect(counters.connects).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(logSince(slapd.log(), before).filter((l) => l.includes(' ACCEPT from '))).toEqual([]);
  });

  it('close() unbinds every pooled connection and is safe to repeat or call before start', async () => {
    const before = slapd.log().length;
    const { client } = makeClient(options());
    expect(await client.authenticate(login('alice', 'alicepw'), NEVER)).toEqual(ACCEPT);
    await client.close();
    await client.close();
    // Count UNBINDs on this client's own connections (slapd logs them a moment after they arrive).
    const unbinds = (): number => {
      const lines = logSince(slapd.log(), before);
      const conns = new Set(lines.map((l) => / (conn=\d+) fd=\d+ ACCEPT /.exec(l)?.[1]).filter(Boolean));
      return lines.filter((l) => / op=\d+ UNBIND/.test(l) && conns.has(/ (conn=\d+) /.exec(l)?.[1])).length;
    };
    await waitFor(async () => unbinds() >= 2, { what: 'UNBINDs in the slapd log', timeoutMs: 3000 }).catch(() => undefined);
    expect(unbinds()).toBe(2);
    const { client: unused } = makeClient(options());
    await expect(unused.close()).resolves.toBeUndefined();
  });
});
