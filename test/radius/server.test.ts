import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReply } from '../../src/radius/access-request.js';
import { Attr, firstValue } from '../../src/radius/dictionary.js';
import { RadiusServer } from '../../src/radius/server.js';
import type { Outcome, RadiusHandler, RadiusRequest } from '../../src/radius/types.js';
import { memoryLogger } from '../../src/log/logger.js';
import { TestNas, papRequest } from '../support/udp-client.js';

const SECRET = 'sharedsecret';

/** A handler that answers from the password; `slow` waits until released. */
class TestHandler implements RadiusHandler {
  calls: RadiusRequest[] = [];
  release: (() => void) | undefined;
  async handle(req: RadiusRequest): Promise<Outcome> {
    this.calls.push(req);
    const pw = req.password.state === 'ok' ? req.password.value : '';
    if (pw === 'slow') await new Promise<void>((r) => (this.release = r));
    if (pw === 'boom') throw new Error('handler bug');
    if (pw === 'drop') return { kind: 'drop', reason: 'test drop' };
    if (pw === 'long') return { kind: 'accept', replyMessage: 'x'.repeat(600) };
    if (pw.startsWith('good') || pw === 'slow') return { kind: 'accept', replyMessage: `welcome ${req.userName}`, attributes: [{ type: Attr.Class, value: Buffer.from('cls') }] };
    return { kind: 'reject', replyMessage: 'nope' };
  }
}

function decode(reply: Buffer | undefined, req: Buffer) {
  expect(reply).toBeDefined();
  const r = checkReply(reply!, { identifier: req[1]!, authenticator: req.subarray(4, 20) }, Buffer.from(SECRET), true);
  if (!r.ok) throw new Error(r.reason);
  return r.packet;
}

describe('RADIUS server over real UDP', () => {
  const handler = new TestHandler();
  const strict = new TestHandler();
  const { log, sink } = memoryLogger();
  let server: RadiusServer;
  let port: number;
  let nas: TestNas;

  beforeAll(async () => {
    server = new RadiusServer({
      address: '127.0.0.1',
      port: 0,
      log,
      sections: [
        { name: 'radius_server_auto', clients: [{ network: '127.0.0.0/8', secret: SECRET }], handler, requireMessageAuthenticator: false, limitProxyState: true, pwCodec: 'utf-8' },
        { name: 'radius_server_auto2', clients: [{ network: '127.0.0.2', secret: SECRET }], handler: strict, requireMessageAuthenticator: true, limitProxyState: false, pwCodec: 'utf-8' },
      ],
      duplicateTtlMs: 1500,
    });
    port = (await server.start()).port;
    nas = await TestNas.open();
  });
  afterAll(async () => {
    await nas.close();
    await server.close();
  });

  it('answers an Access-Request with Message-Authenticator first and a valid Response Authenticator', async () => {
    const req = papRequest({ user: 'alice', password: 'good', secret: SECRET, identifier: 10 });
    nas.send(req, port);
    const p = decode(await nas.next(), req);
    expect(p.code).toBe(2);
    expect(p.attributes[0]!.type).toBe(Attr.MessageAuthenticator);
    expect(firstValue(p.attributes, Attr.ReplyMessage)?.toString()).toBe('welcome alice');
    expect(firstValue(p.attributes, Attr.Class)?.toString()).toBe('cls');
    expect(sink.texts()).toContain("Received new request id 10 from ('127.0.0.1', " + nas.port + ')');
    expect(sink.texts()).toContain(`(('127.0.0.1', ${nas.port}), alice, 10): Returning response code 2: AccessAccept`);
  });

  it('answers requests without Message-Authenticator too (drop-in default), still signing the reply', async () => {
    const req = papRequest({ user: 'bob', password: 'bad', secret: SECRET, identifier: 11, messageAuthenticator: false });
    nas.send(req, port);
    const p = decode(await nas.next(), req);
    expect(p.code).toBe(3);
    expect(p.attributes[0]!.type).toBe(Attr.MessageAuthenticator);
  });

  it('drops a request whose Message-Authenticator is wrong', async () => {
    const req = papRequest({ user: 'bob', password: 'good', secret: 'other-secret', identifier: 12 });
    nas.send(req, port);
    expect(await nas.next(300)).toBeUndefined();
    expect(sink.texts().some((t) => t === `dropping packet from 127.0.0.1:${nas.port} - Invalid Message-Authenticator from 127.0.0.1`)).toBe(true);
  });

  it('limit_proxy_state: drops Proxy-State without Message-Authenticator, echoes it with one', async () => {
    const ps = [{ type: Attr.ProxyState, value: Buffer.from('p1') }, { type: Attr.ProxyState, value: Buffer.from('p2') }];
    const bare = papRequest({ user: 'a', password: 'good', secret: SECRET, identifier: 13, extra: ps, messageAuthenticator: false });
    nas.send(bare, port);
    expect(await nas.next(300)).toBeUndefined();
    const signed = papRequest({ user: 'a', password: 'good', secret: SECRET, identifier: 14, extra: ps });
    nas.send(signed, port);
    const p = decode(await nas.next(), signed);
    expect(p.attributes.filter((a) => a.type === Attr.ProxyState).map((a) => a.value.toString())).toEqual(['p1', 'p2']);
  });

  it('rejects a password that does not decode with "Cannot decode password"', async () => {
    // 0xff is never valid UTF-8: hide it with the right secret so decryption "succeeds" but decoding fails.
    const req = papRequest({ user: 'carol', password: Buffer.from([0xff, 0xfe, 0x41]), secret: SECRET, identifier: 15 });
    nas.send(req, port);
    const p = decode(await nas.next(), req);
    expect(p.code).toBe(3);
    expect(firstValue(p.attributes, Attr.ReplyMessage)?.toString()).toBe('Cannot decode password');
  });

  it('splits a long Reply-Message over several attributes', async () => {
    const req = papRequest({ user: 'd', password: 'long', secret: SECRET, identifier: 16 });
    nas.send(req, port);
    const p = decode(await nas.next(), req);
    const parts = p.attributes.filter((a) => a.type === Attr.ReplyMessage);
    expect(parts.length).toBe(3);
    expect(Buffer.concat(parts.map((a) => a.value)).toString()).toBe('x'.repeat(600));
  });

  it('absorbs retransmissions: silent while pending, cached bytes after, handler runs once', async () => {
    const before = handler.calls.length;
    const req = papRequest({ user: 'eve', password: 'slow', secret: SECRET, identifier: 17 });
    nas.send(req, port);
    await new Promise((r) => setTimeout(r, 100));
    nas.send(req, port);
    expect(await nas.next(300)).toBeUndefined();
    handler.release!();
    const first = await nas.next();
    decode(first, req);
    nas.send(req, port);
    const again = await nas.next();
    expect(again?.equals(first!)).toBe(true);
    expect(handler.calls.length - before).toBe(1);
    // Same Identifier, new Request Authenticator: a new login.
    const fresh = papRequest({ user: 'eve', password: 'good', secret: SECRET, identifier: 17 });
    nas.send(fresh, port);
    decode(await nas.next(), fresh);
    expect(handler.calls.length - before).toBe(2);
  });

  it('forgets answered requests after the cache lifetime', async () => {
    const before = handler.calls.length;
    const req = papRequest({ user: 'frank', password: 'good', secret: SECRET, identifier: 18 });
    nas.send(req, port);
    decode(await nas.next(), req);
    await new Promise((r) => setTimeout(r, 1700));
    nas.send(req, port);
    decode(await nas.next(), req);
    expect(handler.calls.length - before).toBe(2);
  });

  it('a handler crash sends nothing, logs, and keeps serving', async () => {
    const req = papRequest({ user: 'g', password: 'boom', secret: SECRET, identifier: 19 });
    nas.send(req, port);
    expect(await nas.next(300)).toBeUndefined();
    expect(sink.texts().some((t) => t.startsWith(`unhandled error processing request from 127.0.0.1:${nas.port}`))).toBe(true);
    const ok = papRequest({ user: 'g', password: 'good', secret: SECRET, identifier: 20 });
    nas.send(ok, port);
    expect(decode(await nas.next(), ok).code).toBe(2);
  });

  it('drops non-Access-Request codes and answers Status-Server (RFC 5997) only with Message-Authenticator', async () => {
    const acct = papRequest({ user: 'h', secret: SECRET, identifier: 21 });
    acct[0] = 4;
    nas.send(acct, port);
    expect(await nas.next(300)).toBeUndefined();
    expect(sink.texts()).toContain(`dropping packet from 127.0.0.1:${nas.port} - non-AccessRequest packet received`);
    const { encodeAccessRequest } = await import('../../src/radius/access-request.js');
    const status = encodeAccessRequest({ code: 12, identifier: 22, secret: Buffer.from(SECRET), attributes: [] });
    nas.send(status, port);
    const p = decode(await nas.next(), status);
    expect(p.code).toBe(2);
    const bare = encodeAccessRequest({ code: 12, identifier: 23, secret: Buffer.from(SECRET), attributes: [], messageAuthenticator: false });
    nas.send(bare, port);
    expect(await nas.next(300)).toBeUndefined();
  });

  it('routes the most specific client to its section; require_message_authenticator drops bare requests', async () => {
    const nas2 = await TestNas.open('127.0.0.2');
    try {
      const bare = papRequest({ user: 'i', password: 'good', secret: SECRET, identifier: 24, messageAuthenticator: false });
      nas2.send(bare, port);
      expect(await nas2.next(300)).toBeUndefined();
      const signed = papRequest({ user: 'i', password: 'good', secret: SECRET, identifier: 25 });
      nas2.send(signed, port);
      decode(await nas2.next(), signed);
      expect(strict.calls.map((c) => c.section)).toEqual(['radius_server_auto2']);
      expect(sink.texts()).toContain('Sending request from 127.0.0.2 to radius_server_auto2');
    } finally {
      await nas2.close();
    }
  });

  it('drops unknown clients silently and names the address', async () => {
    const other = new RadiusServer({ address: '127.0.0.1', port: 0, log, sections: [{ name: 's', clients: [{ network: '10.0.0.0/8', secret: SECRET }], handler, requireMessageAuthenticator: false, limitProxyState: false, pwCodec: 'utf-8' }] });
    const p2 = (await other.start()).port;
    const req = papRequest({ user: 'j', password: 'good', secret: SECRET, identifier: 26 });
    nas.send(req, p2);
    expect(await nas.next(300)).toBeUndefined();
    expect(sink.texts()).toContain(`dropping packet from 127.0.0.1:${nas.port} - Unknown Client: 127.0.0.1`);
    await other.close();
  });

  it('never logs the password', () => {
    expect(sink.lines.join('\n')).not.toMatch(/good|slow|boom/);
  });
});
