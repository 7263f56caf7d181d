import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from '../vectors/radius/malformed.json' with { type: 'json' };
import rfc from '../vectors/radius/rfc2865.json' with { type: 'json' };
import { isMalformed, parsePacket } from '../../src/radius/packet.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('malformed datagrams are rejected with a specific reason', () => {
  for (const c of vectors.cases) {
    it(c.name, () => {
      let data = hex(c.hex);
      if ('truncate' in c && typeof c.truncate === 'number') data = data.subarray(0, c.truncate);
      const p = parsePacket(data);
      expect(isMalformed(p) ? p.reason : 'accepted').toBe(c.reason);
    });
  }
});

describe('property: the decoder never throws', () => {
  it('on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      parsePacket(Buffer.from(bytes));
    }), { numRuns: 5000 });
  });

  it('on mutations of valid packets with a consistent length field', () => {
    const seeds = [rfc.pap.request, rfc.chap.request, rfc.challenge.packet].map(hex);
    fc.assert(fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), (seed, edits) => {
      const b = Buffer.from(seed);
      for (const [pos, val] of edits) if (pos % b.length >= 4) b[pos % b.length] = val;
      const p = parsePacket(b);
      if (!isMalformed(p)) {
        // Anything accepted must be structurally sound: attributes exactly fill the packet.
        expect(20 + p.attributes.reduce((n, a) => n + 2 + a.value.length, 0)).toBe(b.length);
      }
    }), { numRuns: 5000 });
  });
});
