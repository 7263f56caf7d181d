import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributeCarries, resolveAttribute, vendorAttribute, vendorSubAttributes, type AttributeRef } from '../../src/radius/dictionary.js';
import type { RadiusAttribute } from '../../src/radius/types.js';

/** The definition attributeCarries must keep: a whole, well-formed VSA of the vendor with that sub-type. */
function reference(a: RadiusAttribute, ref: AttributeRef): boolean {
  if (a.type !== ref.type) return false;
  if (ref.vendorId === undefined) return true;
  const vsa = vendorSubAttributes(a.value);
  return vsa?.vendorId === ref.vendorId && vsa.subs.some((s) => s.type === ref.vendorType);
}

describe('attributeCarries', () => {
  const mschap = resolveAttribute('MS-CHAP2-Response')!;
  const userName = resolveAttribute('User-Name')!;

  it('matches top-level types and vendor sub-attributes', () => {
    expect(attributeCarries({ type: 1, value: Buffer.from('x') }, userName)).toBe(true);
    expect(attributeCarries({ type: 2, value: Buffer.from('x') }, userName)).toBe(false);
    expect(attributeCarries(vendorAttribute(311, mschap.vendorType!, Buffer.alloc(50)), mschap)).toBe(true);
    expect(attributeCarries(vendorAttribute(9, mschap.vendorType!, Buffer.alloc(50)), mschap)).toBe(false);
  });

  it('agrees with the sub-attribute parse on any Vendor-Specific bytes, malformed ones included', () => {
    const vsa = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.tuple(fc.constantFrom(311, 9, 2636), fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.uint8Array({ maxLength: 8 }), fc.integer({ min: -3, max: 3 })), { maxLength: 4 })).map(([vendor, subs]) => {
        const parts = [Buffer.from([0, 0, vendor >> 8, vendor & 0xff])];
        for (const [type, value, skew] of subs) parts.push(Buffer.from([type, Math.max(0, Math.min(255, value.length + 2 + skew))]), Buffer.from(value));
        return Uint8Array.from(Buffer.concat(parts));
      }),
    );
    fc.assert(
      fc.property(vsa, fc.integer({ min: 0, max: 30 }), (bytes, vendorType) => {
        const ref: AttributeRef = { ...mschap, vendorType };
        const a = { type: 26, value: Buffer.from(bytes) };
        expect(attributeCarries(a, ref)).toBe(reference(a, ref));
      }),
      { numRuns: 500 },
    );
  });
});
