/**
 * TLS, CA bundle, hostname check, HTTP CONNECT proxy and api_timeout of the Duo client
 * (spec §6.1 "Request shape") against the fake Duo API over real HTTPS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DuoApiError } from '../../src/duo/errors.js';
import { AuthproxyError } from '../../src/errors.js';
import { smartphone, startFakeDuoApi } from '../fakes/duo-api/index.js';
import type { FakeDuoApi } from '../fakes/duo-api/index.js';
import { createTestCa } from '../support/test-ca.js';
import { clientFor, never, rejection } from './helpers.js';

let fake: FakeDuoApi;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duo-transport-'));
  fake = await startFakeDuoApi();
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await fake.reset();
  fake.setUser('jdoe', { kind: 'auth', devices: [smartphone('D1')], passcodes: ['123456'] });
});

const preauth = { user: 'jdoe', ipaddr: '10.0.0.5', failmode: 'safe' } as const;

describe('TLS', () => {
  it('a CA that did not sign the server certificate → transport (open at preauth, closed at auth)', async () => {
    const other = createTestCa(join(dir, 'other'), { hosts: ['127.0.0.1'] });
    const { client } = clientFor(fake, { caCerts: other.caCertPem });
    const pre = (await rejection(client.preauth(preauth, never()))) as DuoApiError;
    expect(pre).toMatchObject({ failure: 'transport', stage: 'preauth', code: 'AP_ERR_DUO_TRANSPORT' });
    expect(pre.message).toMatch(/^API request failed: .*certificate/i);
    expect(pre.failOpenable()).toBe(true);
    const au = (await rejection(client.auth({ user: 'jdoe', factor: 'push', ipaddr: '10.0.0.5' }, never()))) as DuoApiError;
    expect(au).toMatchObject({ failure: 'transport', stage: 'auth' });
    expect(au.failOpenable()).toBe(false);
    expect(fake.calls).toHaveLength(0);
    await client.close();
  });

  it('a certificate for another name → transport', async () => {
    const wrongName = await startFakeDuoApi({ certHosts: ['duo.example.invalid'] });
    const { client } = clientFor(wrongName);
    const err = (await rejection(client.preauth(preauth, never()))) as DuoApiError;
    expect(err).toMatchObject({ failure: 'transport' });
    expect(err.message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|does not match|not in the cert/i);
    expect(wrongName.calls).toHaveLength(0);
    await client.close();
    await wrongName.close();
  });

  it('a DNS name is checked against the certificate and signed lower-cased', async () => {
    const { client } = clientFor(fake, { apiHost: 'LocalHost', userAgent: 'ua-dns' });
    const r = await client.preauth(preauth, never());
    expect(r.result).toBe('auth');
    expect(fake.calls[0]?.signature).toBe('v1');
    expect(fake.calls[0]?.headers['host']).toBe(`localhost:${fake.port}`);
    await client.close();
  });

  it('takes the CA bundle as a file path too', async () => {
    const path = join(dir, 'bundle.crt');
    writeFileSync(path, `# comment\n${fake.caCertPem}`);
    const { client } = clientFor(fake, { caCerts: path, userAgent: 'ua-file' });
    expect((await client.preauth(preauth, never())).result).toBe('auth');
    await client.close();
  });

  it('refuses a bundle without certificates and an unreadable file at construction', () => {
    const empty = join(dir, 'empty.crt');
    writeFileSync(empty, '# nothing here\n');
    expect(() => clientFor(fake, { caCerts: empty })).toThrow(AuthproxyError);
    expect(() => clientFor(fake, { caCerts: empty })).toThrow(expect.objectContaining({ code: 'AP_ERR_CONFIG_INVALID' }));
    expect(() => clientFor(fake, { caCerts: join(dir, 'missing.crt') })).toThrow(
      expect.objectContaining({ code: 'AP_ERR_CONFIG_UNREADABLE' }),
    );
  });
});

describe('HTTP CONNECT proxy', () => {
  let proxy: Server;
  let proxyPort: number;
  const seen: { url: string; userAgent: string | undefined }[] = [];

  beforeAll(async () => {
    proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, client: Socket, head: Buffer) => {
      seen.push({ url: req.url ?? '', userAgent: req.headers['user-agent'] });
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host ?? '', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyPort = (proxy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
  });

  it('tunnels with CONNECT host:port and TLS inside; connections are reused', async () => {
    const { client } = clientFor(fake, { httpProxy: { host: '127.0.0.1', port: proxyPort }, userAgent: 'authproxy/0.1.0 (proxy)' });
    expect((await client.preauth(preauth, never())).result).toBe('auth');
    expect((await client.auth({ user: 'jdoe', factor: '123456', ipaddr: '10.0.0.5' }, never())).result).toBe('allow');
    expect(seen).toEqual([{ url: `127.0.0.1:${fake.port}`, userAgent: 'authproxy/0.1.0 (proxy)' }]);
    expect(fake.calls.map((c) => c.signature)).toEqual(['v1', 'v1']);
    await client.close();
  });

  it('an unreachable proxy is a transport failure', async () => {
    const { client } = clientFor(fake, { httpProxy: { host: '127.0.0.1', port: 1 }, userAgent: 'ua-noproxy' });
    const err = (await rejection(client.preauth(preauth, never()))) as DuoApiError;
    expect(err).toMatchObject({ failure: 'transport', stage: 'preauth' });
    await client.close();
  });
});

describe('api_timeout', () => {
  it('0 means no timeout: a slow push still answers', async () => {
    fake.setUser('jdoe', { kind: 'auth', devices: [smartphone('D1')], push: { result: 'allow', afterMs: 600 } });
    const { client } = clientFor(fake, { apiTimeoutSec: 0 });
    expect(await client.auth({ user: 'jdoe', factor: 'push1', ipaddr: '10.0.0.5' }, never())).toMatchObject({ result: 'allow' });
    await client.close();
  });

  it('a push answered after api_timeout is a timeout, closed at auth', async () => {
    fake.setUser('jdoe', { kind: 'auth', devices: [smartphone('D1')], push: { result: 'allow', afterMs: 5000 } });
    const { client } = clientFor(fake, { apiTimeoutSec: 0.3 });
    const started = Date.now();
    const err = (await rejection(client.auth({ user: 'jdoe', factor: 'push1', ipaddr: '10.0.0.5' }, never()))) as DuoApiError;
    expect(err).toMatchObject({ failure: 'timeout', stage: 'auth', message: 'API request timed out after 0.3 seconds' });
    expect(err.failOpenable()).toBe(false);
    expect(Date.now() - started).toBeLessThan(4000);
    await client.close();
  });

  it('an already aborted signal sends nothing', async () => {
    const { client } = clientFor(fake);
    const ac = new AbortController();
    ac.abort();
    const err = (await rejection(client.preauth(preauth, ac.signal))) as DuoApiError;
    expect(err).toMatchObject({ failure: 'local', stage: 'preauth' });
    expect(fake.calls).toHaveLength(0);
    await client.close();
  });
});
