/**
 * `[radius_client]` against a real FreeRADIUS 3.2 that requires Message-Authenticator from us
 * (so every answered request below also proves ours is right).
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/log/logger.js';
import { RadiusClient, type RadiusClientOptions } from '../../src/primary/radius-client.js';
import type { PrimaryResult } from '../../src/primary/types.js';
import { encodeAccessRequest, textAttribute } from '../../src/radius/access-request.js';
import { Attr, attributeValues, resolveAttribute } from '../../src/radius/dictionary.js';
import { CAROL_STATE, startFreeRadius, type FreeRadiusHandle } from '../harness/freeradius.js';
import { FakeUpstream } from '../support/fake-upstream.js';
import { NO_ABORT, primaryRequest } from './radius-client-fixtures.js';

let fr: FreeRadiusHandle;
const open: RadiusClient[] = [];

async function client(extra: Partial<RadiusClientOptions> = {}) {
  const { log, sink } = memoryLogger();
  const c = new RadiusClient({
    name: 'radius_client',
    hosts: [{ host: fr.host, port: fr.port }],
    secret: Buffer.from(fr.secret),
    nasIp: '127.0.0.1',
    log,
    ...extra,
  });
  await c.start();
  open.push(c);
  return { c, sink };
}

async function login(c: RadiusClient, user: string, password: string, upstreamState?: Buffer): Promise<PrimaryResult> {
  return c.authenticate(primaryRequest({ user, password, clientIp: '192.0.2.10', ...(upstreamState ? { upstreamState } : {}) }), NO_ABORT);
}

/** The text values of `name` among a result's attributes. */
function values(result: PrimaryResult, name: string): string[] {
  if (!('attributes' in result)) return [];
  return attributeValues(result.attributes, resolveAttribute(name)!).map((v) => v.toString());
}

beforeAll(async () => {
  fr = await startFreeRadius();
});
afterAll(async () => {
  for (const c of open) await c.close();
  await fr?.stop();
});

describe('RadiusClient against FreeRADIUS', () => {
  it('FreeRADIUS is really requiring Message-Authenticator: a request without one gets no answer', async () => {
    const socket = createSocket('udp4');
    const request = encodeAccessRequest({
      identifier: 1,
      secret: Buffer.from(fr.secret),
      attributes: [textAttribute(Attr.UserName, 'bob')],
      password: Buffer.from('bobpw'),
      messageAuthenticator: false,
    });
    const answered = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 700);
      socket.on('message', () => {
        clearTimeout(t);
        resolve(true);
      });
      socket.send(request, fr.port, fr.host);
    });
    socket.close();
    expect(answered).toBe(false);
  });

  it('accept: Reply-Message as message, the named pass-through set (incl. a vendor attribute) back to the NAS', async () => {
    const { c } = await client({ passThroughAttrNames: ['Class', 'Filter-Id', 'Juniper-Local-User-Name', 'No-Such-Attribute'] });
    const r = await login(c, 'alice', 'alicepw');
    expect(r.status).toBe('accept');
    expect(r.message).toBe('Hello alice');
    expect(values(r, 'Class')).toEqual(['alice']);
    expect(values(r, 'Filter-Id')).toEqual(['staff']);
    expect(values(r, 'Juniper-Local-User-Name')).toEqual(['superuser']);
    expect(values(r, 'PaloAlto-Admin-Role')).toEqual([]);
    expect(values(r, 'Reply-Message')).toEqual([]);
  });

  it('accept with pass_through_all: every upstream attribute except Message-Authenticator and Proxy-State', async () => {
    const { c } = await client({ passThroughAll: true });
    const r = await login(c, 'alice', 'alicepw');
    expect(r.status).toBe('accept');
    expect(values(r, 'Reply-Message')).toEqual(['Hello alice']);
    expect(values(r, 'Class')).toEqual(['alice']);
    expect(values(r, 'Filter-Id')).toEqual(['staff']);
    expect(values(r, 'Juniper-Local-User-Name')).toEqual(['superuser']);
    expect(values(r, 'PaloAlto-Admin-Role')).toEqual(['fw-admin']);
    if (r.status !== 'accept') throw new Error('not accepted');
    expect(r.attributes.some((a) => a.type === Attr.MessageAuthenticator || a.type === Attr.ProxyState)).toBe(false);
  });

  it('accept without pass-through options: no attributes at all', async () => {
    const { c } = await client();
    const r = await login(c, 'alice', 'alicepw');
    expect(r).toEqual({ status: 'accept', message: 'Hello alice', attributes: [] });
  });

  it('accept without Reply-Message → "No reply message in packet"', async () => {
    const { c } = await client();
    expect(await login(c, 'bob', 'bobpw')).toEqual({ status: 'accept', message: 'No reply message in packet', attributes: [] });
  });

  it('reject with a Reply-Message keeps it; a bare reject → "No reply message in packet"', async () => {
    const { c } = await client({ passThroughAll: true });
    expect(await login(c, 'locked', 'whatever')).toEqual({ status: 'reject', message: 'Account locked', attributes: [] });
    expect(await login(c, 'bob', 'wrong')).toEqual({ status: 'reject', message: 'No reply message in packet', attributes: [] });
    expect(await login(c, 'nobody', 'x')).toEqual({ status: 'reject', message: 'No reply message in packet', attributes: [] });
  });

  it('challenge: relayed with message and State; the answer with that State is accepted', async () => {
    const { c } = await client();
    const first = await login(c, 'carol', 'carolpw');
    expect(first.status).toBe('challenge');
    if (first.status !== 'challenge') return;
    expect(first.message).toBe('Enter your code');
    expect(first.state.equals(CAROL_STATE)).toBe(true);
    const second = await login(c, 'carol', '123456', first.state);
    expect(second).toEqual({ status: 'accept', message: 'code accepted', attributes: [] });
  });

  it('the same client is told apart from a wrong password on the challenge answer', async () => {
    const { c } = await client();
    expect((await login(c, 'carol', '654321', CAROL_STATE)).status).toBe('reject');
  });

  it('client-side require_message_authenticator: FreeRADIUS 3.2.1 signs non-EAP replies without one, so they are dropped', async () => {
    const { c, sink } = await client({ requireMessageAuthenticator: true, retries: 0, retryWaitMs: 300 });
    const r = await login(c, 'bob', 'bobpw');
    expect(r).toMatchObject({ status: 'unavailable', message: 'RADIUS auth request timed out' });
    expect(sink.texts()).toContain(`dropping packet from 127.0.0.1:${fr.port} - missing Message-Authenticator`);
  });

  it('a silent user (Do-Not-Respond) → after retries+1 transmissions: unavailable "RADIUS auth request timed out"', async () => {
    const { c, sink } = await client({ retries: 1, retryWaitMs: 200 });
    const r = await login(c, 'slow', 'x');
    expect(r.status).toBe('unavailable');
    expect(r.message).toBe('RADIUS auth request timed out');
    expect(sink.texts().filter((t) => t.includes(`request for user 'slow' to ('127.0.0.1', ${fr.port})`))).toHaveLength(2);
    expect(sink.texts().some((t) => t.startsWith('Request timeout for (outgoing) id '))).toBe(true);
  });

  it('failover: the first host is dead (a silent socket), the second (FreeRADIUS) answers after one wait', async () => {
    const dead = await FakeUpstream.open();
    try {
      const { c, sink } = await client({ hosts: [dead.address, { host: fr.host, port: fr.port }], retries: 3, retryWaitMs: 500 });
      const t0 = performance.now();
      const r = await login(c, 'bob', 'bobpw');
      const elapsed = performance.now() - t0;
      expect(r.status).toBe('accept');
      expect(dead.received).toHaveLength(1);
      expect(elapsed).toBeGreaterThanOrEqual(480);
      expect(elapsed).toBeLessThan(1000);
      expect(sink.texts().some((t) => t.startsWith('Got response for id ') && t.includes(`from ('127.0.0.1', ${fr.port}); code 2`))).toBe(true);
    } finally {
      await dead.close();
    }
  });

  it('FreeRADIUS saw our User-Name and Calling-Station-Id (its auth log names the login)', () => {
    expect(fr.log()).toMatch(/Login OK: \[bob\] \(from client localhost port 0 cli 192\.0\.2\.10\)/);
  });
});
