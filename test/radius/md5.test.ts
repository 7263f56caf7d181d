import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacMd5, hmacMd5For, md5 } from '../../src/radius/md5.js';

const hex = (b: Buffer): string => b.toString('hex');
const bytes = fc.uint8Array({ maxLength: 300 });

describe('md5 (RFC 1321)', () => {
  it('matches the RFC 1321 §A.5 test suite', () => {
    const suite: [string, string][] = [
      ['', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['a', '0cc175b9c0f1b6a831c399e269772661'],
      ['abc', '900150983cd24fb0d6963f7d28e17f72'],
      ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
      ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
      ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
      ['1234567890'.repeat(8), '57edf4a22be3c955ac49da2e2107b67a'],
    ];
    for (const [text, digest] of suite) expect(hex(md5(Buffer.from(text)))).toBe(digest);
  });

  it('agrees with node:crypto on any split of any input, across block boundaries', () => {
    fc.assert(
      fc.property(bytes, bytes, bytes, bytes, (a, b, c, d) => {
        expect(hex(md5(a, b, c, d))).toBe(createHash('md5').update(a).update(b).update(c).update(d).digest('hex'));
      }),
      { numRuns: 300 },
    );
    const big = Buffer.alloc(5000, 0x61);
    expect(hex(md5(big))).toBe(createHash('md5').update(big).digest('hex'));
  });
});

describe('HmacMd5 (RFC 2104)', () => {
  it('matches the RFC 2202 §2 HMAC-MD5 test cases, including a key longer than a block', () => {
    const mac = (key: Buffer, data: Buffer): string => hex(new HmacMd5(key).mac([data]));
    expect(mac(Buffer.alloc(16, 0x0b), Buffer.from('Hi There'))).toBe('9294727a3638bb1c13f48ef8158bfc9d');
    expect(mac(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?'))).toBe('750c783e6ab0b503eaa86e310a5db738');
    expect(mac(Buffer.alloc(16, 0xaa), Buffer.alloc(50, 0xdd))).toBe('56be34521d144c88dbb8c733f0e8b3f6');
    expect(mac(Buffer.alloc(80, 0xaa), Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'))).toBe('6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd');
  });

  it('agrees with node:crypto for random keys and parts given as ranges', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), bytes, bytes, fc.nat(), (key, a, b, cut) => {
        const at = a.length ? cut % a.length : 0;
        const ours = hmacMd5For(Buffer.from(key)).mac([[a, 0, at], [a, at, a.length], b]);
        expect(hex(ours)).toBe(createHmac('md5', key).update(a).update(b).digest('hex'));
      }),
      { numRuns: 300 },
    );
  });

  it('prepares a key once per secret buffer', () => {
    const secret = Buffer.from('s3cret');
    expect(hmacMd5For(secret)).toBe(hmacMd5For(secret));
  });
});
