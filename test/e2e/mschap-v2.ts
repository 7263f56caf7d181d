/**
 * The peer side of MS-CHAPv2 for tests (RFC 2759 §8, RFC 3079 §3.3–3.4): what a NAS puts in
 * MS-CHAP-Challenge / MS-CHAP2-Response, the Authenticator Response a correct server returns in
 * MS-CHAP2-Success, and the MPPE keys both ends derive. Node's OpenSSL 3 has no MD4 and no single
 * DES, so MD4 is written out here (RFC 1320) and DES is 3DES-EDE with three equal keys.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/** One MD4 round: 16 steps of a = rotl(a + f(b,c,d) + X[k] + t, s), roles rotating. */
function md4Round(st: number[], x: number[], f: (b: number, c: number, d: number) => number, order: number[], shifts: number[], t: number): void {
  let [a, b, c, d] = st as [number, number, number, number];
  for (let i = 0; i < 16; i++) {
    const v = rotl((a + f(b, c, d) + x[order[i]!]! + t) | 0, shifts[i % 4]!);
    [a, b, c, d] = [d, v, b, c];
  }
  st.splice(0, 4, a, b, c, d);
}

/** RFC 1320 MD4. */
export function md4(msg: Buffer): Buffer {
  const total = Math.ceil((msg.length + 9) / 64) * 64;
  const buf = Buffer.alloc(total);
  msg.copy(buf);
  buf[msg.length] = 0x80;
  buf.writeUInt32LE((msg.length * 8) >>> 0, total - 8);
  buf.writeUInt32LE(Math.floor((msg.length * 8) / 2 ** 32), total - 4);
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  const seq = [...Array(16).keys()];
  for (let off = 0; off < total; off += 64) {
    const x = seq.map((i) => buf.readInt32LE(off + 4 * i));
    const st = [...h];
    md4Round(st, x, (b, c, d) => (b & c) | (~b & d), seq, [3, 7, 11, 19], 0);
    md4Round(st, x, (b, c, d) => (b & c) | (b & d) | (c & d), [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15], [3, 5, 9, 13], 0x5a827999);
    md4Round(st, x, (b, c, d) => b ^ c ^ d, [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15], [3, 9, 11, 15], 0x6ed9eba1);
    for (let i = 0; i < 4; i++) h[i] = (h[i]! + st[i]!) | 0;
  }
  const out = Buffer.alloc(16);
  h.forEach((v, i) => out.writeInt32LE(v, 4 * i));
  return out;
}

/** RFC 2759 §8.7 DesEncrypt: a 7-octet key spread over 8 (parity bits ignored by DES). */
function desEncrypt(clear: Buffer, key7: Buffer): Buffer {
  const k = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) {
    const hi = i === 0 ? 0 : key7[i - 1]! << (8 - i);
    const lo = i === 7 ? 0 : key7[i]! >> i;
    k[i] = (hi | lo) & 0xfe;
  }
  const c = createCipheriv('des-ede3-ecb', Buffer.concat([k, k, k]), null).setAutoPadding(false);
  return Buffer.concat([c.update(clear), c.final()]);
}

/** RFC 2759 §8.3 NtPasswordHash: MD4 of the UTF-16LE password. */
export const ntPasswordHash = (password: string): Buffer => md4(Buffer.from(password, 'utf16le'));

/** RFC 2759 §8.2 ChallengeHash. */
export function challengeHash(peer: Buffer, auth: Buffer, user: string): Buffer {
  return createHash('sha1').update(peer).update(auth).update(user).digest().subarray(0, 8);
}

/** RFC 2759 §8.1 GenerateNTResponse. */
export function ntResponse(auth: Buffer, peer: Buffer, user: string, password: string): Buffer {
  const ch = challengeHash(peer, auth, user);
  const z = Buffer.concat([ntPasswordHash(password), Buffer.alloc(5)]);
  return Buffer.concat([0, 7, 14].map((o) => desEncrypt(ch, z.subarray(o, o + 7))));
}

const MAGIC1 = Buffer.from('Magic server to client signing constant');
const MAGIC2 = Buffer.from('Pad to make it do more than one iteration');

/** RFC 2759 §8.7 GenerateAuthenticatorResponse: `S=` + 40 upper-case hex digits. */
export function authenticatorResponse(password: string, nt: Buffer, peer: Buffer, auth: Buffer, user: string): string {
  const hh = md4(ntPasswordHash(password));
  const d = createHash('sha1').update(hh).update(nt).update(MAGIC1).digest();
  const r = createHash('sha1').update(d).update(challengeHash(peer, auth, user)).update(MAGIC2).digest();
  return `S=${r.toString('hex').toUpperCase()}`;
}

/** RFC 3079 §3.4 GetMasterKey's Magic1 (not RFC 2759's). */
const MASTER_MAGIC = Buffer.from('This is the MPPE Master Key');
const SHS_PAD1 = Buffer.alloc(40, 0);
const SHS_PAD2 = Buffer.alloc(40, 0xf2);
const SERVER_SEND = Buffer.from('On the client side, this is the receive key; on the server side, it is the send key.');
const SERVER_RECV = Buffer.from('On the client side, this is the send key; on the server side, it is the receive key.');

/** RFC 3079 §3.4: the server's 128-bit MS-MPPE-Send-Key and Recv-Key for an MS-CHAPv2 login. */
export function mppeKeys(password: string, nt: Buffer): { send: Buffer; recv: Buffer; master: Buffer } {
  const master = createHash('sha1').update(md4(ntPasswordHash(password))).update(nt).update(MASTER_MAGIC).digest().subarray(0, 16);
  const start = (magic: Buffer) => createHash('sha1').update(master).update(SHS_PAD1).update(magic).update(SHS_PAD2).digest().subarray(0, 16);
  return { send: start(SERVER_SEND), recv: start(SERVER_RECV), master };
}

/** A fresh MS-CHAPv2 login: the two request attribute values and what a correct server answers. */
export interface MschapV2Login {
  readonly challenge: Buffer;
  /** MS-CHAP2-Response value (RFC 2548 §2.3.2): Ident, Flags, Peer-Challenge, 8 reserved, NT-Response. */
  readonly response: Buffer;
  readonly ident: number;
  readonly authenticatorResponse: string;
  readonly keys: { send: Buffer; recv: Buffer };
}

/** Builds an MS-CHAPv2 login for `user` with `password` (random challenges). */
export function mschapV2Login(user: string, password: string, ident = 1): MschapV2Login {
  const challenge = randomBytes(16);
  const peer = randomBytes(16);
  const nt = ntResponse(challenge, peer, user, password);
  const response = Buffer.concat([Buffer.from([ident, 0]), peer, Buffer.alloc(8), nt]);
  const { send, recv } = mppeKeys(password, nt);
  return { challenge, response, ident, authenticatorResponse: authenticatorResponse(password, nt, peer, challenge, user), keys: { send, recv } };
}
