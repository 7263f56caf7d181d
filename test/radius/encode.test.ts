import fc from 'fast-check';
import radius from 'radius';
import { describe, expect, it } from 'vitest';
import { loadDictionaries } from '../../src/radius/dictionary.js';
import { writePacket } from '../../src/radius/encode.js';

const attribute = fc.tuple(fc.integer({ min: 1, max: 255 }), fc.uint8Array({ maxLength: 253 }).map((a) => Buffer.from(a)));

describe('writePacket', () => {
  it('lays out an Access-Request byte for byte as npm radius encode() does', () => {
    loadDictionaries();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.array(attribute, { maxLength: 12 }), (id, auth, attrs) => {
        const authenticator = Buffer.from(auth);
        const theirs = radius.encode({ code: 'Access-Request', identifier: id, authenticator, attributes: attrs.map(([t, v]) => [t, v]), secret: Buffer.from('s'), add_message_authenticator: false });
        expect(writePacket(1, id, authenticator, attrs)).toEqual(theirs);
      }),
      { numRuns: 200 },
    );
  });

  it('writes header fields and exact length', () => {
    const p = writePacket(2, 7, Buffer.alloc(16, 0xaa), [[18, Buffer.from('hi')], [80, Buffer.alloc(16)]]);
    expect(p.length).toBe(20 + 4 + 18);
    expect([p[0], p[1], p.readUInt16BE(2)]).toEqual([2, 7, 42]);
    expect(p.subarray(20, 24)).toEqual(Buffer.from([18, 4, 0x68, 0x69]));
  });

  it('refuses a value over 253 octets, a packet over 4096 octets and a short authenticator', () => {
    expect(() => writePacket(1, 0, Buffer.alloc(16), [[18, Buffer.alloc(254)]])).toThrow(/254 octets \(max 253\)/);
    const many = Array.from({ length: 17 }, (): [number, Buffer] => [18, Buffer.alloc(253)]);
    expect(() => writePacket(1, 0, Buffer.alloc(16), many)).toThrow(/max 4096/);
    expect(() => writePacket(1, 0, Buffer.alloc(15), [])).toThrow(/must be 16/);
  });
});
