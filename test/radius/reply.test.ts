import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Attr } from '../../src/radius/dictionary.js';
import { isMalformed, parsePacket } from '../../src/radius/packet.js';
import { encodeReply, replyAttributes, replyMessageAttributes } from '../../src/radius/reply.js';
import type { RadiusAttribute } from '../../src/radius/types.js';

const secret = Buffer.from('s3cr3t;#=:');
const requestAuth = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

function build(code: number, attrs: RadiusAttribute[] = [{ type: Attr.ReplyMessage, value: Buffer.from('hi') }], proxyStates: Buffer[] = []): Buffer {
  return encodeReply({ code, identifier: 7, requestAuthenticator: requestAuth, secret, attributes: attrs, proxyStates });
}

describe('replies (spec §5.3.2, RFC 3579 §3.2, BlastRADIUS)', () => {
  for (const code of [2, 3, 11]) {
    it(`code ${code}: Message-Authenticator is the first attribute and both authenticators verify`, () => {
      const reply = build(code);
      expect(reply[0]).toBe(code);
      expect(reply[1]).toBe(7);
      expect(reply[20]).toBe(Attr.MessageAuthenticator);
      expect(reply[21]).toBe(18);
      // Independent computation, straight from the RFC text:
      const zeroed = Buffer.from(reply);
      requestAuth.copy(zeroed, 4);
      zeroed.fill(0, 22, 38);
      const ma = createHmac('md5', secret).update(zeroed).digest();
      expect(reply.subarray(22, 38).equals(ma)).toBe(true);
      const withReqAuth = Buffer.from(reply);
      requestAuth.copy(withReqAuth, 4);
      const ra = createHash('md5').update(withReqAuth).update(secret).digest();
      expect(reply.subarray(4, 20).equals(ra)).toBe(true);
    });
  }

  it('echoes every Proxy-State unmodified and in order, after the other attributes', () => {
    const reply = build(2, [], [Buffer.from('one'), Buffer.from([0, 1, 2]), Buffer.from('three')]);
    const p = parsePacket(reply);
    if (isMalformed(p)) throw new Error(p.reason);
    expect(p.attributes.map((a) => a.type)).toEqual([80, 33, 33, 33]);
    expect(p.attributes.slice(1).map((a) => a.value.toString('hex'))).toEqual(['6f6e65', '000102', '7468726565']);
  });

  it('splits a Reply-Message longer than 253 bytes without cutting a UTF-8 character', () => {
    const text = 'é'.repeat(200) + 'x'.repeat(100);
    const parts = replyMessageAttributes(text);
    expect(parts.map((p) => p.value.length)).toEqual([252, 248]); // 253 would cut an 'é' in half
    for (const p of parts) expect(p.value.length).toBeLessThanOrEqual(253);
    expect(Buffer.concat(parts.map((p) => p.value)).toString('utf8')).toBe(text);
    for (const p of parts) expect(() => new TextDecoder('utf-8', { fatal: true }).decode(p.value)).not.toThrow();
  });

  it('the message replaces a copied Reply-Message at its position', () => {
    const attrs = replyAttributes(
      [{ type: 25, value: Buffer.from('c') }, { type: 18, value: Buffer.from('old') }, { type: 11, value: Buffer.from('f') }],
      'new',
    );
    expect(attrs.map((a) => `${a.type}:${a.value.toString()}`)).toEqual(['25:c', '18:new', '11:f']);
  });

  it('refuses a reply larger than 4096 octets', () => {
    const big = Array.from({ length: 20 }, () => ({ type: 25, value: Buffer.alloc(253) }));
    expect(() => build(2, big)).toThrow(/max 4096/);
  });
});
