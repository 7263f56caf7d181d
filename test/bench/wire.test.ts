import { describe, expect, it } from 'vitest';
import { AuthenticatorSource, encodeLogin, isReplyTo } from '../../bench/wire.js';
import { checkMessageAuthenticator, decodeUserPassword } from '../../src/radius/request.js';
import { encodeReply } from '../../src/radius/reply.js';
import { isMalformed, parsePacket } from '../../src/radius/packet.js';
import { Attr, firstValue } from '../../src/radius/dictionary.js';

const secret = Buffer.from('bench-secret');
const policy = { requireMessageAuthenticator: true, limitProxyState: true, pwCodec: 'utf-8' };

describe('load generator wire format', () => {
  it('encodes an Access-Request that src/radius parses, authenticates and decrypts', () => {
    const auth = new AuthenticatorSource().next();
    const p = encodeLogin(42, { user: 'alice', password: 'a long password of 25 ch' }, { secret, callingStationId: '198.51.100.7' }, auth);
    const parsed = parsePacket(p);
    if (isMalformed(parsed)) throw new Error(parsed.reason);
    expect([parsed.code, parsed.identifier, parsed.attributes[0]?.type]).toEqual([1, 42, Attr.MessageAuthenticator]);
    expect(checkMessageAuthenticator(p, parsed, secret, policy, '127.0.0.1')).toBeUndefined();
    expect(decodeUserPassword(parsed, secret, 'utf-8')).toEqual({ state: 'ok', value: 'a long password of 25 ch' });
    expect(firstValue(parsed.attributes, Attr.CallingStationId)?.toString()).toBe('198.51.100.7');
    expect(checkMessageAuthenticator(p, parsed, Buffer.from('other'), policy, '127.0.0.1')).toMatch(/Invalid Message-Authenticator/);
  });

  it('accepts only the reply to its own request', () => {
    const auth = new AuthenticatorSource().next();
    const reply = encodeReply({ code: 2, identifier: 9, requestAuthenticator: auth, secret, attributes: [], proxyStates: [] });
    expect(isReplyTo(reply, 9, auth, secret)).toBe(true);
    expect(isReplyTo(reply, 8, auth, secret)).toBe(false);
    expect(isReplyTo(reply, 9, Buffer.alloc(16), secret)).toBe(false);
    expect(isReplyTo(reply, 9, auth, Buffer.from('other'))).toBe(false);
    expect(isReplyTo(reply.subarray(0, 19), 9, auth, secret)).toBe(false);
  });

  it('never hands out the same authenticator twice in a batch', () => {
    const src = new AuthenticatorSource();
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(src.next().toString('hex'));
    expect(seen.size).toBe(5000);
  });
});
