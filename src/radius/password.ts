/**
 * User-Password hiding (RFC 2865 §5.2) and the `pw_codec` text decoding Duo applies after it.
 */
import { md5 } from './md5.js';

/**
 * RFC 2865 §5.2: the hidden value is 16–128 octets and a multiple of 16; each block is
 * c(i) = p(i) xor MD5(S + c(i-1)), with c(0) = Request Authenticator.
 * Returns the padded plaintext with trailing NULs removed (as Duo does), or undefined for a bad size.
 */
export function decryptUserPassword(hidden: Buffer, secret: Buffer, authenticator: Buffer): Buffer | undefined {
  if (hidden.length < 16 || hidden.length > 128 || hidden.length % 16 !== 0) return undefined;
  const out = Buffer.alloc(hidden.length);
  let prev = authenticator;
  for (let i = 0; i < hidden.length; i += 16) {
    const b = md5(secret, prev);
    for (let j = 0; j < 16; j++) out[i + j] = hidden[i + j]! ^ b[j]!;
    prev = hidden.subarray(i, i + 16);
  }
  let end = out.length;
  while (end > 0 && out[end - 1] === 0) end--;
  return out.subarray(0, end);
}

/** RFC 2865 §5.2 hiding: pads with NULs to a multiple of 16 (at most 128 octets). */
export function encryptUserPassword(plain: Buffer, secret: Buffer, authenticator: Buffer): Buffer {
  if (plain.length > 128) throw new RangeError('User-Password longer than 128 octets');
  const size = Math.max(16, Math.ceil(plain.length / 16) * 16);
  const out = Buffer.alloc(size);
  plain.copy(out);
  let prev = authenticator;
  for (let i = 0; i < size; i += 16) {
    const b = md5(secret, prev);
    for (let j = 0; j < 16; j++) out[i + j] = out[i + j]! ^ b[j]!;
    prev = out.subarray(i, i + 16);
  }
  return out;
}

type Codec = { decode(bytes: Buffer): string | undefined; encode(text: string): Buffer | undefined };

const latin1: Codec = {
  decode: (b) => b.toString('latin1'),
  encode: (t) => (/^[\u0000-\u00ff]*$/.test(t) ? Buffer.from(t, 'latin1') : undefined),
};
const ascii: Codec = {
  decode: (b) => (b.every((x) => x < 0x80) ? b.toString('latin1') : undefined),
  encode: (t) => (/^[\u0000-\u007f]*$/.test(t) ? Buffer.from(t, 'latin1') : undefined),
};
function whatwg(label: string): Codec {
  const decoder = new TextDecoder(label, { fatal: true });
  return {
    decode: (b) => {
      try {
        return decoder.decode(b);
      } catch {
        return undefined;
      }
    },
    // Only UTF-8 is encodable with the platform's TextEncoder; other labels are decode-only.
    encode: (t) => (decoder.encoding === 'utf-8' ? Buffer.from(t, 'utf8') : undefined),
  };
}

/**
 * Python codec names accepted for `pw_codec`. `latin-1` is true ISO-8859-1 (not the WHATWG
 * windows-1252 alias), as in Python.
 */
function codecFor(name: string): Codec | undefined {
  // Cached: resolving builds a TextDecoder, and this runs for every password decoded or encoded.
  if (codecs.has(name)) return codecs.get(name);
  const codec = resolveCodec(name);
  if (codecs.size < MAX_CACHED_CODECS) codecs.set(name, codec);
  return codec;
}

const MAX_CACHED_CODECS = 32;
const codecs = new Map<string, Codec | undefined>();

function resolveCodec(name: string): Codec | undefined {
  const n = name.toLowerCase().replace(/_/g, '-');
  if (['latin-1', 'latin1', 'iso-8859-1', 'iso8859-1', 'l1'].includes(n)) return latin1;
  if (['ascii', 'us-ascii'].includes(n)) return ascii;
  if (['utf-8', 'utf8', 'u8'].includes(n)) return whatwg('utf-8');
  const alias = n.startsWith('cp') ? `windows-${n.slice(2)}` : n;
  try {
    return whatwg(alias);
  } catch {
    return undefined;
  }
}

/** True when `pw_codec` names a codec we can decode with. */
export function isKnownCodec(name: string): boolean {
  return codecFor(name) !== undefined;
}

/** Decodes password bytes with `pw_codec`; undefined when they are not valid in it. */
export function decodePassword(bytes: Buffer, codecName: string): string | undefined {
  return codecFor(codecName)?.decode(bytes);
}

/** Encodes a password with `pw_codec` (for an upstream request); undefined if not representable. */
export function encodePassword(text: string, codecName: string): Buffer | undefined {
  return codecFor(codecName)?.encode(text);
}
