import { describe, expect, it } from 'vitest';
import vectors from '../vectors/radius/rfc2865.json' with { type: 'json' };
import { verifyResponseAuthenticator } from '../../src/radius/authenticator.js';
import { Attr, firstValue } from '../../src/radius/dictionary.js';
import { isMalformed, parsePacket, type ParsedPacket } from '../../src/radius/packet.js';
import { decryptUserPassword, encryptUserPassword } from '../../src/radius/password.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const parse = (s: string): ParsedPacket => {
  const p = parsePacket(hex(s));
  if (isMalformed(p)) throw new Error(p.reason);
  return p;
};
const secret = Buffer.from(vectors.secret);

describe('RFC 2865 §7 example packets', () => {
  it('§7.1: decodes the PAP request and recovers the password', () => {
    const req = parse(vectors.pap.request);
    expect(req.code).toBe(1);
    expect(firstValue(req.attributes, Attr.UserName)?.toString()).toBe(vectors.pap.userName);
    const pw = decryptUserPassword(firstValue(req.attributes, Attr.UserPassword)!, secret, req.authenticator);
    expect(pw?.toString()).toBe(vectors.pap.password);
  });

  it('§7.1: re-hides the password to the same bytes (RFC 2865 §5.2)', () => {
    const req = parse(vectors.pap.request);
    const hidden = encryptUserPassword(Buffer.from(vectors.pap.password), secret, req.authenticator);
    expect(hidden.equals(firstValue(req.attributes, Attr.UserPassword)!)).toBe(true);
  });

  it('§7.1: the Access-Accept Response Authenticator verifies against the request', () => {
    const req = parse(vectors.pap.request);
    expect(verifyResponseAuthenticator(hex(vectors.pap.response), req.authenticator, secret)).toBe(true);
    expect(verifyResponseAuthenticator(hex(vectors.pap.response), req.authenticator, Buffer.from('wrong'))).toBe(false);
  });

  it('§7.2: decodes the CHAP request attributes in order', () => {
    const req = parse(vectors.chap.request);
    expect(req.attributes.map((a) => a.type)).toEqual(vectors.chap.attributeTypes);
    expect(firstValue(req.attributes, Attr.UserName)?.toString()).toBe(vectors.chap.userName);
  });

  it('§7.3: decodes the Access-Challenge Reply-Message and State', () => {
    const p = parse(vectors.challenge.packet);
    expect(p.code).toBe(11);
    expect(firstValue(p.attributes, Attr.ReplyMessage)?.toString()).toBe(vectors.challenge.replyMessage);
    expect(firstValue(p.attributes, Attr.State)?.toString()).toBe(vectors.challenge.state);
  });
});
