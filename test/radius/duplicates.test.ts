import { describe, expect, it } from 'vitest';
import { DuplicateCache, packFingerprint, type DuplicateFingerprint } from '../../src/radius/duplicates.js';

const fp = (o: Partial<DuplicateFingerprint> = {}): DuplicateFingerprint => ({
  authenticator: Buffer.alloc(16, 1),
  userName: Buffer.from('alice'),
  userPassword: Buffer.alloc(16, 2),
  ...o,
});

describe('DuplicateCache', () => {
  it('new, then in progress, then the cached reply until the TTL expires (RFC 5080 §2.2.2)', () => {
    let now = 1000;
    const c = new DuplicateCache(30_000, () => now);
    const v = c.check('k', fp());
    expect(v.kind).toBe('new');
    expect(c.check('k', fp()).kind).toBe('in-progress');
    if (v.kind !== 'new') throw new Error('unreachable');
    c.answered('k', v.entry, Buffer.from('reply'));
    expect(c.check('k', fp())).toEqual({ kind: 'answered', reply: Buffer.from('reply') });
    now += 30_000;
    expect(c.check('k', fp()).kind).toBe('new');
  });

  it('any differing byte of authenticator, User-Name or User-Password makes a new login', () => {
    const c = new DuplicateCache(30_000);
    c.check('k', fp());
    expect(c.check('k', fp({ authenticator: Buffer.alloc(16, 9) })).kind).toBe('new');
    expect(c.check('k', fp({ userName: Buffer.from('alicf') })).kind).toBe('new');
    expect(c.check('k', fp({ userName: Buffer.from('alicf'), userPassword: undefined })).kind).toBe('new');
    expect(c.check('k', fp({ userName: Buffer.from('alicf'), userPassword: undefined })).kind).toBe('in-progress');
  });

  it('packs absent and empty values differently; longest values fit', () => {
    expect(packFingerprint(fp({ userName: undefined }))).not.toBe(packFingerprint(fp({ userName: Buffer.alloc(0) })));
    expect(packFingerprint(fp({ userName: Buffer.alloc(0), userPassword: Buffer.from('x') }))).not.toBe(packFingerprint(fp({ userName: Buffer.from('x'), userPassword: Buffer.alloc(0) })));
    const big = packFingerprint(fp({ userName: Buffer.alloc(253, 0xff), userPassword: Buffer.alloc(253, 0xfe) }));
    expect(big.length).toBe(16 + 2 + 253 + 2 + 253);
  });

  it('forget lets a retransmission be processed again; a replaced entry is not resurrected', () => {
    const c = new DuplicateCache(30_000);
    const v = c.check('k', fp());
    if (v.kind !== 'new') throw new Error('unreachable');
    c.forget('k', v.entry);
    expect(c.check('k', fp()).kind).toBe('new');
    const w = c.check('k', fp({ userName: Buffer.from('bob') }));
    c.forget('k', v.entry);
    expect(w.kind).toBe('new');
    expect(c.check('k', fp({ userName: Buffer.from('bob') })).kind).toBe('in-progress');
  });
});
