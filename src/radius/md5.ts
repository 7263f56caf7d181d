/**
 * MD5 (RFC 1321) and HMAC-MD5 (RFC 2104), only for RADIUS's per-packet uses: User-Password hiding
 * (RFC 2865 §5.2), Response Authenticators (RFC 2865 §3) and Message-Authenticator (RFC 3579 §3.2).
 *
 * Why not node:crypto here (measured for bench/README.md, Node 20.20, OpenSSL 3): every
 * `createHash`/`createHmac` call sets up a fresh digest context, ~1.4 µs / ~2.2 µs per call for a
 * 90-byte packet on an idle core of the bench machine, against ~0.3 µs / ~0.6 µs here; a proxied
 * PAP login makes four of each, ~15 % of the proxy's CPU. Inputs are packets (at most 4096 bytes
 * plus a secret), where that per-call cost dominates. No branch or memory access depends on the
 * data or the key. test/radius/md5.test.ts checks the RFC 1321 and RFC 2202 vectors and
 * agreement with node:crypto on random inputs.
 */

// One streaming state for the module: every exported function runs to completion synchronously.
const state = new Int32Array(4);
const block = new Uint8Array(64);
let blockLength = 0;
let totalLength = 0;

/** Compresses the 64-byte block at `m[o]` into `state` (RFC 1321 §3.4, rounds unrolled). */
function compress(m: Uint8Array, o: number): void {
  const x0 = m[o + 0]! | (m[o + 1]! << 8) | (m[o + 2]! << 16) | (m[o + 3]! << 24);
  const x1 = m[o + 4]! | (m[o + 5]! << 8) | (m[o + 6]! << 16) | (m[o + 7]! << 24);
  const x2 = m[o + 8]! | (m[o + 9]! << 8) | (m[o + 10]! << 16) | (m[o + 11]! << 24);
  const x3 = m[o + 12]! | (m[o + 13]! << 8) | (m[o + 14]! << 16) | (m[o + 15]! << 24);
  const x4 = m[o + 16]! | (m[o + 17]! << 8) | (m[o + 18]! << 16) | (m[o + 19]! << 24);
  const x5 = m[o + 20]! | (m[o + 21]! << 8) | (m[o + 22]! << 16) | (m[o + 23]! << 24);
  const x6 = m[o + 24]! | (m[o + 25]! << 8) | (m[o + 26]! << 16) | (m[o + 27]! << 24);
  const x7 = m[o + 28]! | (m[o + 29]! << 8) | (m[o + 30]! << 16) | (m[o + 31]! << 24);
  const x8 = m[o + 32]! | (m[o + 33]! << 8) | (m[o + 34]! << 16) | (m[o + 35]! << 24);
  const x9 = m[o + 36]! | (m[o + 37]! << 8) | (m[o + 38]! << 16) | (m[o + 39]! << 24);
  const x10 = m[o + 40]! | (m[o + 41]! << 8) | (m[o + 42]! << 16) | (m[o + 43]! << 24);
  const x11 = m[o + 44]! | (m[o + 45]! << 8) | (m[o + 46]! << 16) | (m[o + 47]! << 24);
  const x12 = m[o + 48]! | (m[o + 49]! << 8) | (m[o + 50]! << 16) | (m[o + 51]! << 24);
  const x13 = m[o + 52]! | (m[o + 53]! << 8) | (m[o + 54]! << 16) | (m[o + 55]! << 24);
  const x14 = m[o + 56]! | (m[o + 57]! << 8) | (m[o + 58]! << 16) | (m[o + 59]! << 24);
  const x15 = m[o + 60]! | (m[o + 61]! << 8) | (m[o + 62]! << 16) | (m[o + 63]! << 24);
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let t: number;
  t = (a + ((b & c) | (~b & d)) + x0 + 0xd76aa478) | 0;
  a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + x1 + 0xe8c7b756) | 0;
  d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + x2 + 0x242070db) | 0;
  c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + x3 + 0xc1bdceee) | 0;
  b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((b & c) | (~b & d)) + x4 + 0xf57c0faf) | 0;
  a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + x5 + 0x4787c62a) | 0;
  d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + x6 + 0xa8304613) | 0;
  c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + x7 + 0xfd469501) | 0;
  b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((b & c) | (~b & d)) + x8 + 0x698098d8) | 0;
  a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + x9 + 0x8b44f7af) | 0;
  d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + x10 + 0xffff5bb1) | 0;
  c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + x11 + 0x895cd7be) | 0;
  b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((b & c) | (~b & d)) + x12 + 0x6b901122) | 0;
  a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + x13 + 0xfd987193) | 0;
  d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + x14 + 0xa679438e) | 0;
  c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + x15 + 0x49b40821) | 0;
  b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((d & b) | (~d & c)) + x1 + 0xf61e2562) | 0;
  a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((c & a) | (~c & b)) + x6 + 0xc040b340) | 0;
  d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((b & d) | (~b & a)) + x11 + 0x265e5a51) | 0;
  c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((a & c) | (~a & d)) + x0 + 0xe9b6c7aa) | 0;
  b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + ((d & b) | (~d & c)) + x5 + 0xd62f105d) | 0;
  a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((c & a) | (~c & b)) + x10 + 0x02441453) | 0;
  d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((b & d) | (~b & a)) + x15 + 0xd8a1e681) | 0;
  c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((a & c) | (~a & d)) + x4 + 0xe7d3fbc8) | 0;
  b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + ((d & b) | (~d & c)) + x9 + 0x21e1cde6) | 0;
  a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((c & a) | (~c & b)) + x14 + 0xc33707d6) | 0;
  d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((b & d) | (~b & a)) + x3 + 0xf4d50d87) | 0;
  c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((a & c) | (~a & d)) + x8 + 0x455a14ed) | 0;
  b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + ((d & b) | (~d & c)) + x13 + 0xa9e3e905) | 0;
  a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((c & a) | (~c & b)) + x2 + 0xfcefa3f8) | 0;
  d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((b & d) | (~b & a)) + x7 + 0x676f02d9) | 0;
  c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((a & c) | (~a & d)) + x12 + 0x8d2a4c8a) | 0;
  b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + (b ^ c ^ d) + x5 + 0xfffa3942) | 0;
  a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + x8 + 0x8771f681) | 0;
  d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + x11 + 0x6d9d6122) | 0;
  c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + x14 + 0xfde5380c) | 0;
  b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (b ^ c ^ d) + x1 + 0xa4beea44) | 0;
  a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + x4 + 0x4bdecfa9) | 0;
  d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + x7 + 0xf6bb4b60) | 0;
  c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + x10 + 0xbebfbc70) | 0;
  b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (b ^ c ^ d) + x13 + 0x289b7ec6) | 0;
  a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + x0 + 0xeaa127fa) | 0;
  d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + x3 + 0xd4ef3085) | 0;
  c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + x6 + 0x04881d05) | 0;
  b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (b ^ c ^ d) + x9 + 0xd9d4d039) | 0;
  a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + x12 + 0xe6db99e5) | 0;
  d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + x15 + 0x1fa27cf8) | 0;
  c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + x2 + 0xc4ac5665) | 0;
  b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + x0 + 0xf4292244) | 0;
  a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + x7 + 0x432aff97) | 0;
  d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + x14 + 0xab9423a7) | 0;
  c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + x5 + 0xfc93a039) | 0;
  b = (((t << 21) | (t >>> 11)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + x12 + 0x655b59c3) | 0;
  a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + x3 + 0x8f0ccc92) | 0;
  d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + x10 + 0xffeff47d) | 0;
  c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + x1 + 0x85845dd1) | 0;
  b = (((t << 21) | (t >>> 11)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + x8 + 0x6fa87e4f) | 0;
  a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + x15 + 0xfe2ce6e0) | 0;
  d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + x6 + 0xa3014314) | 0;
  c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + x13 + 0x4e0811a1) | 0;
  b = (((t << 21) | (t >>> 11)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + x4 + 0xf7537e82) | 0;
  a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + x11 + 0xbd3af235) | 0;
  d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + x2 + 0x2ad7d2bb) | 0;
  c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + x9 + 0xeb86d391) | 0;
  b = (((t << 21) | (t >>> 11)) + c) | 0;
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
}

/** Starts a hash from the initial values (RFC 1321 §3.3), or from a saved state after `prefix` bytes. */
function begin(from?: Int32Array, prefix = 0): void {
  if (from) state.set(from);
  else {
    state[0] = 0x67452301;
    state[1] = 0xefcdab89 | 0;
    state[2] = 0x98badcfe | 0;
    state[3] = 0x10325476;
  }
  blockLength = 0;
  totalLength = prefix;
}

/** Feeds `data[start, end)`. */
function update(data: Uint8Array, start = 0, end = data.length): void {
  let i = start;
  totalLength += end - start;
  if (blockLength > 0) {
    while (i < end && blockLength < 64) block[blockLength++] = data[i++]!;
    if (blockLength < 64) return;
    compress(block, 0);
    blockLength = 0;
  }
  for (; i + 64 <= end; i += 64) compress(data, i);
  while (i < end) block[blockLength++] = data[i++]!;
}

/** Pads (RFC 1321 §3.1–3.2) and writes the 16-byte digest into `out` at `offset`. */
function finish(out: Uint8Array, offset = 0): void {
  const bits = totalLength * 8;
  block[blockLength++] = 0x80;
  if (blockLength > 56) {
    block.fill(0, blockLength);
    compress(block, 0);
    blockLength = 0;
  }
  block.fill(0, blockLength, 56);
  for (let i = 0; i < 4; i++) block[56 + i] = (bits >>> (8 * i)) & 0xff;
  const high = Math.floor(bits / 0x100000000);
  for (let i = 0; i < 4; i++) block[60 + i] = (high >>> (8 * i)) & 0xff;
  compress(block, 0);
  for (let i = 0; i < 4; i++) {
    const w = state[i]!;
    out[offset + 4 * i] = w & 0xff;
    out[offset + 4 * i + 1] = (w >>> 8) & 0xff;
    out[offset + 4 * i + 2] = (w >>> 16) & 0xff;
    out[offset + 4 * i + 3] = (w >>> 24) & 0xff;
  }
}

/** MD5 of the concatenation of the parts (up to four, so that no concatenated copy is needed). */
export function md5(p0: Uint8Array, p1?: Uint8Array, p2?: Uint8Array, p3?: Uint8Array): Buffer {
  begin();
  update(p0);
  if (p1) update(p1);
  if (p2) update(p2);
  if (p3) update(p3);
  const out = Buffer.allocUnsafe(16);
  finish(out);
  return out;
}

/** A byte range of a buffer, one part of a MAC's input. */
export type Part = Uint8Array | readonly [Uint8Array, number, number];

const innerDigest = new Uint8Array(16);

/** HMAC-MD5 with one key; the key's padded blocks are hashed once, at construction. */
export class HmacMd5 {
  private readonly inner = new Int32Array(4);
  private readonly outer = new Int32Array(4);

  constructor(key: Uint8Array) {
    // RFC 2104 §2: a key longer than the 64-byte block is replaced by its hash.
    const k = key.length > 64 ? md5(key) : key;
    const pad = new Uint8Array(64);
    for (const [saved, byte] of [[this.inner, 0x36], [this.outer, 0x5c]] as const) {
      pad.fill(byte);
      for (let i = 0; i < k.length; i++) pad[i]! ^= k[i]!;
      begin();
      compress(pad, 0);
      saved.set(state);
    }
    pad.fill(0);
  }

  /** The MAC of the concatenated parts (whole buffers or `[buffer, start, end]` ranges). */
  mac(parts: readonly Part[]): Buffer {
    begin(this.inner, 64);
    for (const p of parts) {
      if (p instanceof Uint8Array) update(p);
      else update(p[0], p[1], p[2]);
    }
    finish(innerDigest);
    begin(this.outer, 64);
    update(innerDigest);
    const out = Buffer.allocUnsafe(16);
    finish(out);
    return out;
  }
}

const keys = new WeakMap<Uint8Array, HmacMd5>();

/** The HMAC-MD5 for `secret`, prepared once per secret buffer (secrets live as long as the config). */
export function hmacMd5For(secret: Uint8Array): HmacMd5 {
  let h = keys.get(secret);
  if (!h) {
    h = new HmacMd5(secret);
    keys.set(secret, h);
  }
  return h;
}
