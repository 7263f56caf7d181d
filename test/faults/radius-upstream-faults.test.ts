/**
 * Fault injection on the upstream RADIUS leg (`[radius_client]`), through the real proxy, with
 * scriptable upstream UDP sockets: every host silent, or answering with a bad Response
 * Authenticator (or signed with another secret) → the timeout text of spec §5.8 after the
 * retries, each retransmission rotating over the hosts; then the upstream recovers and logins
 * work. After each: nothing in flight, no socket left open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attr } from '../../src/radius/dictionary.js';
import { startFakeDuoApi, type FakeDuoApi } from '../fakes/duo-api/index.js';
import { FakeUpstream, signedReply } from '../support/fake-upstream.js';
import { startE2e, type E2e } from '../e2e/env.js';
import { heapAfterGc, idle, socketHandles, socketsSettle } from './helpers.js';

const TIMED_OUT = 'Error performing primary authentication: RADIUS auth request timed out';
const BYPASS = 'Bypass user';
const SECRET = Buffer.from('upstream-secret');

let duo: FakeDuoApi;
let hosts: FakeUpstream[];
let env: E2e;
let baseline = 0;

beforeAll(async () => {
  duo = await startFakeDuoApi({ defaultScenario: { kind: 'allow', status: BYPASS } });
  hosts = [await FakeUpstream.open(), await FakeUpstream.open()];
  const client = `[radius_client]
host=127.0.0.1
port=${hosts[0]!.port}
host_1=127.0.0.1
port_1=${hosts[1]!.port}
secret=${SECRET.toString()}
retries=2
retry_wait=1`;
  env = await startE2e({ duo, clientSection: client });
  hosts.forEach((h) => (h.responder = (req) => [signedReply(req, { code: 2, secret: SECRET })]));
  expect((await env.login('alice', 'pw'))?.message).toBe(BYPASS);
  baseline = socketHandles();
});
afterAll(async () => {
  await env?.close();
  for (const h of hosts ?? []) await h.close();
  await duo?.close();
});

/** Sets every host's behaviour and forgets what they received. */
function upstream(responder: FakeUpstream['responder']): void {
  for (const h of hosts) {
    h.responder = responder;
    h.received.length = 0;
  }
}

const received = (): number => hosts.reduce((n, h) => n + h.received.length, 0);

describe.each([
  ['silent on every host', () => undefined],
  ['bad Response Authenticator', (req: Buffer) => [signedReply(req, { code: 2, secret: SECRET, badResponseAuthenticator: true })]],
  ['signed with another secret', (req: Buffer) => [signedReply(req, { code: 2, secret: Buffer.from('not-the-secret') })]],
  ['bad Message-Authenticator', (req: Buffer) => [signedReply(req, { code: 2, secret: SECRET, badMessageAuthenticator: true })]],
] as const)('upstream %s', (_name, responder) => {
  it('→ the timeout text after 1 + retries transmissions, rotating over both hosts; nothing left behind', async () => {
    upstream(responder);
    const duoCalls = duo.calls.length;
    const started = Date.now();
    const r = await env.login('alice', 'pw', { timeoutMs: 8000 });
    const elapsed = Date.now() - started;
    expect([r?.code, r?.message]).toEqual([3, TIMED_OUT]);
    expect(received()).toBe(3);
    expect(hosts.every((h) => h.received.length > 0)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(2900);
    expect(elapsed).toBeLessThan(3000 + 1500);
    expect(duo.calls.length).toBe(duoCalls); // a failed primary never reaches Duo
    expect(await idle(env)).toBe(true);
    expect(await socketsSettle(baseline)).toBe(true);
  });
});

describe('recovery and no growth', () => {
  it('the upstream answers again → Accept; a loop of rejected logins does not grow the heap', async () => {
    upstream((req) => [signedReply(req, { code: 2, secret: SECRET })]);
    expect((await env.login('alice', 'pw'))?.message).toBe(BYPASS);
    upstream((req) => [signedReply(req, { code: 3, secret: SECRET, attributes: [{ type: Attr.ReplyMessage, value: Buffer.from('nope') }] })]);
    for (let i = 0; i < 20; i++) expect((await env.login('alice', 'bad'))?.message).toBe('nope');
    const before = heapAfterGc();
    for (let i = 0; i < 300; i++) expect((await env.login(`u${i % 7}`, 'bad'))?.message).toBe('nope');
    expect(await idle(env)).toBe(true);
    expect(await socketsSettle(baseline)).toBe(true);
    expect(heapAfterGc() - before).toBeLessThan(6 * 1024 * 1024);
  }, 60_000);
});
