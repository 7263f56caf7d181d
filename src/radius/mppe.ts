/**
 * Salt-encrypted attribute values: MS-MPPE-Send-Key and MS-MPPE-Recv-Key (RFC 2548 §2.4.2,
 * §2.4.3) and Tunnel-Password, which uses the same scheme behind a tag octet (RFC 2868 §3.5).
 *
 * The value is Salt (2 octets) + String, where String hides P = length octet + data + zero
 * padding to a multiple of 16 octets:
 *   b(1) = MD5(S + R + A), c(1) = p(1) xor b(1);  b(i) = MD5(S + c(i-1)), c(i) = p(i) xor b(i)
 * with S the shared secret, R the Request Authenticator of the Access-Request the reply answers,
 * and A the salt. A proxy therefore cannot copy such a value from its upstream's reply to its
 * NAS: it must decrypt it (upstream secret, authenticator sent upstream) and encrypt it again
 * (NAS secret, NAS's authenticator) — what Duo's proxy 5.0.0 does (spec §11).
 */
import { createHash, randomBytes } from 'node:crypto';
import { Attr, vendorSubAttributes } from './dictionary.js';
import type { RadiusAttribute } from './types.js';

/** Microsoft's vendor id (RFC 2548 §2). */
export const MICROSOFT_VENDOR_ID = 311;
/** MS-MPPE-Send-Key vendor type (RFC 2548 §2.4.2). */
export const MS_MPPE_SEND_KEY = 16;
/** MS-MPPE-Recv-Key vendor type (RFC 2548 §2.4.3). */
export const MS_MPPE_RECV_KEY = 17;
/** RFC 2868 §3.5 Tunnel-Password. */
export const TUNNEL_PASSWORD = 69;

/** Longest data that still fits a Vendor-Specific attribute (253 − 4 vendor id − 2 sub-header − 2 salt = 245 → 240 − 1 length octet). */
export const MAX_SALTED_DATA = 239;

/** A secret and the Request Authenticator a salted value is (or is to be) encrypted with. */
export interface SaltKey {
  readonly secret: Buffer;
  readonly authenticator: Buffer;
}

/** Result of decrypting a salted value. */
export type SaltedDecryption =
  | { readonly ok: true; readonly data: Buffer; readonly salt: Buffer }
  | { readonly ok: false; readonly reason: string };

/** The MD5 chaining of both directions; each next block is keyed by the previous ciphertext block. */
function keystream(key: SaltKey, salt: Buffer, input: Buffer, decrypt: boolean): Buffer {
  const out = Buffer.alloc(input.length);
  let chain: Buffer = Buffer.concat([key.authenticator, salt]); // RFC 2548 §2.4.2: b(1) = MD5(S + R + A)
  for (let i = 0; i < input.length; i += 16) {
    const b = createHash('md5').update(key.secret).update(chain).digest();
    for (let j = 0; j < 16; j++) out[i + j] = input[i + j]! ^ b[j]!;
    chain = (decrypt ? input : out).subarray(i, i + 16); // b(i) = MD5(S + c(i-1))
  }
  return out;
}

/**
 * Encrypts `data` (a key, or a tunnel password) into Salt + String. RFC 2548 §2.4.2: the salt's
 * most significant bit MUST be set. Throws RangeError for a bad salt or over-long data (bugs).
 */
export function encryptSalted(data: Buffer, key: SaltKey, salt: Buffer): Buffer {
  if (salt.length !== 2 || (salt[0]! & 0x80) === 0) throw new RangeError('salt must be 2 octets with the high bit set');
  if (data.length > MAX_SALTED_DATA) throw new RangeError(`salted data is ${data.length} octets (max ${MAX_SALTED_DATA})`);
  const plain = Buffer.alloc(Math.ceil((data.length + 1) / 16) * 16);
  plain[0] = data.length;
  data.copy(plain, 1);
  return Buffer.concat([salt, keystream(key, salt, plain, false)]);
}

/**
 * Decrypts Salt + String. Liberal on the salt's high bit (a buggy upstream's key is still the
 * key); strict on sizes: String must be a non-empty multiple of 16 holding the stated length.
 */
export function decryptSalted(value: Buffer, key: SaltKey): SaltedDecryption {
  if (value.length < 18) return { ok: false, reason: `value is ${value.length} octets (min 18)` };
  if ((value.length - 2) % 16 !== 0) return { ok: false, reason: `encrypted part is ${value.length - 2} octets (not a multiple of 16)` };
  const salt = value.subarray(0, 2);
  const plain = keystream(key, salt, value.subarray(2), true);
  const length = plain[0]!;
  if (length > plain.length - 1) return { ok: false, reason: `stated length ${length} exceeds the ${plain.length - 1} octets present` };
  return { ok: true, data: Buffer.from(plain.subarray(1, 1 + length)), salt: Buffer.from(salt) };
}

/** Fresh random salts with the high bit set, unique within one packet (RFC 2548 §2.4.2). */
export class SaltSource {
  private readonly used = new Set<number>();

  /** The next unused salt. */
  next(): Buffer {
    for (;;) {
      const salt = randomBytes(2);
      salt[0] = salt[0]! | 0x80;
      const n = salt.readUInt16BE(0);
      if (this.used.has(n)) continue;
      this.used.add(n);
      return salt;
    }
  }
}

/** Result of {@link reencryptSaltedAttributes}. */
export interface Reencryption {
  /** The attributes, salted values re-encrypted; values that did not decrypt are left out. */
  readonly attributes: RadiusAttribute[];
  /** One line per value left out (no key material). */
  readonly problems: string[];
}

function isMppeKey(type: number): boolean {
  return type === MS_MPPE_SEND_KEY || type === MS_MPPE_RECV_KEY;
}

/** Re-encrypts one Tunnel-Password value (Tag + Salt + String, RFC 2868 §3.5). */
function reencryptTunnelPassword(value: Buffer, from: SaltKey, to: SaltKey, salts: SaltSource): Buffer | string {
  if (value.length < 1) return 'Tunnel-Password is empty';
  const d = decryptSalted(value.subarray(1), from);
  if (!d.ok) return `Tunnel-Password: ${d.reason}`;
  return Buffer.concat([value.subarray(0, 1), encryptSalted(d.data, to, salts.next())]);
}

/** Re-encrypts the MPPE key sub-attributes of one Microsoft Vendor-Specific value. */
function reencryptVendor(value: Buffer, from: SaltKey, to: SaltKey, salts: SaltSource): Buffer | string | undefined {
  const vsa = vendorSubAttributes(value);
  if (vsa?.vendorId !== MICROSOFT_VENDOR_ID || !vsa.subs.some((s) => isMppeKey(s.type))) return undefined;
  const parts: Buffer[] = [value.subarray(0, 4)];
  for (const s of vsa.subs) {
    let v = s.value;
    if (isMppeKey(s.type)) {
      const d = decryptSalted(s.value, from);
      if (!d.ok) return `${s.type === MS_MPPE_SEND_KEY ? 'MS-MPPE-Send-Key' : 'MS-MPPE-Recv-Key'}: ${d.reason}`;
      v = encryptSalted(d.data, to, salts.next());
    }
    parts.push(Buffer.from([s.type, v.length + 2]), v);
  }
  return Buffer.concat(parts);
}

/**
 * Takes the attributes of a reply encrypted for `from` and makes every salted value
 * (MS-MPPE-Send-Key, MS-MPPE-Recv-Key, Tunnel-Password) readable for `to`, with fresh salts.
 * Other attributes are returned unchanged, in order.
 */
export function reencryptSaltedAttributes(attrs: readonly RadiusAttribute[], from: SaltKey, to: SaltKey): Reencryption {
  const salts = new SaltSource();
  const attributes: RadiusAttribute[] = [];
  const problems: string[] = [];
  for (const a of attrs) {
    let value: Buffer | string | undefined;
    if (a.type === TUNNEL_PASSWORD) value = reencryptTunnelPassword(a.value, from, to, salts);
    else if (a.type === Attr.VendorSpecific) value = reencryptVendor(a.value, from, to, salts);
    if (typeof value === 'string') problems.push(value);
    else attributes.push(value === undefined ? a : { type: a.type, value });
  }
  return { attributes, problems };
}
