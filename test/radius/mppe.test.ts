import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Attr, vendorAttribute, vendorSubAttributes } from '../../src/radius/dictionary.js';
import {
  decryptSalted,
  encryptSalted,
  MAX_SALTED_DATA,
  MICROSOFT_VENDOR_ID,
  MS_MPPE_RECV_KEY,
  MS_MPPE_SEND_KEY,
  reencryptSaltedAttributes,
  SaltSource,
  TUNNEL_PASSWORD,
} from '../../src/radius/mppe.js';

const hex = (s: string) => Buffer.from(s, 'hex');

// Expected bytes computed independently with a 15-line python3 script written from the text of
// RFC 2548 §2.4.2 (hashlib.md5; P = len + key + zero padding; b(1) = MD5(S + R + A), b(i) = MD5(S + c(i-1))).
const VECTORS = [
  {
    name: '16-octet key, secret "testing123", R = 00..0f, salt 852a',
    data: hex('000102030405060708090a0b0c0d0e0f'),
    key: { secret: Buffer.from('testing123'), authenticator: hex('000102030405060708090a0b0c0d0e0f') },
    salt: hex('852a'),
    value: hex('852a972a961eff80675222c2a4359c88a12e4b1dcc0f158186a61cffe88e3f07cf59'),
  },
  {
    name: '32-octet key (an EAP MSK half), secret "nas-secret", R = ff..ff, salt 8001',
    data: hex('202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f'),
    key: { secret: Buffer.from('nas-secret'), authenticator: Buffer.alloc(16, 0xff) },
    salt: hex('8001'),
    value: hex('800104ef366d2f5390592bf11720f5cbf3ea7dd8c0cd1758662b7e2954c2c709b36b757511ff223975b57093e92fb2a733cd'),
  },
  {
    name: 'empty data, secret "s", R = zeros, salt 8000',
    data: Buffer.alloc(0),
    key: { secret: Buffer.from('s'), authenticator: Buffer.alloc(16) },
    salt: hex('8000'),
    value: hex('800093cfb91131c5e8be7b8690018407081f'),
  },
];

describe('RFC 2548 §2.4.2 salt encryption', () => {
  it.each(VECTORS)('encrypts to the independently computed bytes: $name', (v) => {
    expect(encryptSalted(v.data, v.key, v.salt).toString('hex')).toBe(v.value.toString('hex'));
  });

  it.each(VECTORS)('decrypts the independently computed bytes: $name', (v) => {
    const d = decryptSalted(v.value, v.key);
    expect(d).toEqual({ ok: true, data: v.data, salt: v.salt });
  });

  it('round-trips any data length 0–239 with any secret and authenticator', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: MAX_SALTED_DATA }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 0x8000, max: 0xffff }),
        (data, secret, ra, saltN) => {
          const key = { secret: Buffer.from(secret), authenticator: Buffer.from(ra) };
          const salt = Buffer.from([saltN >> 8, saltN & 0xff]);
          const value = encryptSalted(Buffer.from(data), key, salt);
          expect((value.length - 2) % 16).toBe(0);
          const d = decryptSalted(value, key);
          expect(d.ok && d.data.equals(Buffer.from(data))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a different secret or authenticator does not decrypt to the key', () => {
    const v = VECTORS[0]!;
    const wrongSecret = decryptSalted(v.value, { ...v.key, secret: Buffer.from('testing124') });
    const wrongRa = decryptSalted(v.value, { ...v.key, authenticator: Buffer.alloc(16) });
    for (const d of [wrongSecret, wrongRa]) expect(d.ok && d.data.equals(v.data)).toBe(false);
  });

  it('bad sizes get specific reasons, never a throw', () => {
    const key = VECTORS[0]!.key;
    expect(decryptSalted(Buffer.alloc(17), key)).toEqual({ ok: false, reason: 'value is 17 octets (min 18)' });
    expect(decryptSalted(Buffer.alloc(20), key)).toEqual({ ok: false, reason: 'encrypted part is 18 octets (not a multiple of 16)' });
    // A length octet larger than what follows: encrypt 0xff as the "length" by hand.
    const forged = encryptSalted(Buffer.alloc(0), key, hex('8001'));
    forged[2] = forged[2]! ^ 0xff; // plaintext length 0 → 255
    expect(decryptSalted(forged, key)).toEqual({ ok: false, reason: 'stated length 255 exceeds the 15 octets present' });
  });

  it('refuses a salt without the high bit and over-long data (RFC 2548 §2.4.2)', () => {
    const key = VECTORS[0]!.key;
    expect(() => encryptSalted(Buffer.alloc(16), key, hex('7fff'))).toThrow(RangeError);
    expect(() => encryptSalted(Buffer.alloc(MAX_SALTED_DATA + 1), key, hex('8000'))).toThrow(RangeError);
  });

  it('SaltSource yields distinct salts with the high bit set', () => {
    const s = new SaltSource();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const salt = s.next();
      expect(salt[0]! & 0x80).toBe(0x80);
      seen.add(salt.toString('hex'));
    }
    expect(seen.size).toBe(2000);
  });
});

describe('reencryptSaltedAttributes (upstream reply → NAS reply)', () => {
  const upstream = { secret: Buffer.from('upstream-secret'), authenticator: hex('0102030405060708090a0b0c0d0e0f10') };
  const nas = { secret: Buffer.from('nas-secret'), authenticator: hex('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf') };
  const sendKey = Buffer.alloc(32, 0x11);
  const recvKey = Buffer.alloc(32, 0x22);
  const mppe = (type: number, k: Buffer, salt: string) => vendorAttribute(MICROSOFT_VENDOR_ID, type, encryptSalted(k, upstream, hex(salt)));
  const sub = (a: { value: Buffer }) => vendorSubAttributes(a.value)!.subs[0]!;

  it('re-encrypts both MPPE keys for the NAS with fresh distinct salts; other attributes unchanged, in order', () => {
    const filter = { type: 11, value: Buffer.from('staff') };
    const policy = vendorAttribute(MICROSOFT_VENDOR_ID, 7, hex('00000001'));
    const attrs = [filter, mppe(MS_MPPE_SEND_KEY, sendKey, '8123'), policy, mppe(MS_MPPE_RECV_KEY, recvKey, '8456')];
    const r = reencryptSaltedAttributes(attrs, upstream, nas);
    expect(r.problems).toEqual([]);
    expect(r.attributes[0]).toBe(filter);
    expect(r.attributes[2]).toBe(policy);
    const send = sub(r.attributes[1]!);
    const recv = sub(r.attributes[3]!);
    expect([send.type, recv.type]).toEqual([MS_MPPE_SEND_KEY, MS_MPPE_RECV_KEY]);
    expect(decryptSalted(send.value, nas)).toMatchObject({ ok: true, data: sendKey });
    expect(decryptSalted(recv.value, nas)).toMatchObject({ ok: true, data: recvKey });
    expect(send.value.subarray(0, 2).equals(recv.value.subarray(0, 2))).toBe(false);
    // The NAS cannot read the upstream's bytes: they really were re-encrypted.
    const asIs = decryptSalted(sub(attrs[1]!).value, nas);
    expect(asIs.ok && asIs.data.equals(sendKey)).toBe(false);
  });

  it('re-encrypts Tunnel-Password keeping its tag (RFC 2868 §3.5)', () => {
    const tp = { type: TUNNEL_PASSWORD, value: Buffer.concat([hex('01'), encryptSalted(Buffer.from('tunnel pw'), upstream, hex('8abc'))]) };
    const r = reencryptSaltedAttributes([tp], upstream, nas);
    const v = r.attributes[0]!.value;
    expect(v[0]).toBe(1);
    expect(decryptSalted(v.subarray(1), nas)).toMatchObject({ ok: true, data: Buffer.from('tunnel pw') });
  });

  it('leaves out a key that does not decrypt and says why (no key bytes in the text)', () => {
    const broken = vendorAttribute(MICROSOFT_VENDOR_ID, MS_MPPE_SEND_KEY, Buffer.alloc(19, 0x80));
    const cls = { type: Attr.Class, value: Buffer.from('c') };
    const r = reencryptSaltedAttributes([broken, cls], upstream, nas);
    expect(r.attributes).toEqual([cls]);
    expect(r.problems).toEqual(['MS-MPPE-Send-Key: encrypted part is 17 octets (not a multiple of 16)']);
  });
});
