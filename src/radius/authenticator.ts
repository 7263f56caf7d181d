/**
 * Authenticators: Response Authenticator (RFC 2865 §3) and Message-Authenticator
 * (RFC 2869 §5.14, RFC 3579 §3.2), with the MD5/HMAC-MD5 of ./md5.ts (see there why not
 * node:crypto). Every comparison is constant-time.
 */
import { randomFillSync, timingSafeEqual } from 'node:crypto';
import { hmacMd5For, md5 } from './md5.js';

/** Byte offset of the authenticator field in a RADIUS header. */
export const AUTHENTICATOR_OFFSET = 4;

const RANDOM_BATCH = 16 * 1024;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

/**
 * 16 bytes from the CSPRNG for a Request Authenticator (RFC 2865 §3: "unpredictable and unique
 * over the lifetime of a secret"). Drawn from a batch refilled every 1024 requests: one
 * `randomFillSync` per batch instead of one `randomBytes(16)` per request, which measured 1–5 µs
 * each. Every batch is a new buffer, so returned slices never change.
 */
export function randomAuthenticator(): Buffer {
  if (randomOffset + 16 > randomPool.length) {
    randomPool = randomFillSync(Buffer.allocUnsafe(RANDOM_BATCH));
    randomOffset = 0;
  }
  randomOffset += 16;
  return randomPool.subarray(randomOffset - 16, randomOffset);
}

/**
 * RFC 3579 §3.2: HMAC-MD5 over the whole packet with the Message-Authenticator value zeroed,
 * keyed by the shared secret. `packet` must hold, at bytes 4–19, the authenticator the RFC
 * prescribes (the Request Authenticator for requests and for replies).
 */
export function computeMessageAuthenticator(packet: Buffer, maOffset: number, secret: Buffer): Buffer {
  return hmacMd5For(secret).mac([[packet, 0, maOffset], ZERO_MAC, [packet, maOffset + 16, packet.length]]);
}

const ZERO_MAC = new Uint8Array(16);

/**
 * RFC 3579 §3.2 for a reply: HMAC-MD5 over the reply with its authenticator field replaced by the
 * Request Authenticator and the Message-Authenticator value zeroed (no copy of the reply is made).
 */
export function computeReplyMessageAuthenticator(reply: Buffer, maOffset: number, requestAuthenticator: Buffer, secret: Buffer): Buffer {
  return hmacMd5For(secret).mac([[reply, 0, 4], requestAuthenticator, [reply, 20, maOffset], ZERO_MAC, [reply, maOffset + 16, reply.length]]);
}

/** Verifies a reply's Message-Authenticator against the request's authenticator (constant-time). */
export function verifyReplyMessageAuthenticator(reply: Buffer, maOffset: number, requestAuthenticator: Buffer, secret: Buffer): boolean {
  const expected = computeReplyMessageAuthenticator(reply, maOffset, requestAuthenticator, secret);
  return timingSafeEqual(expected, reply.subarray(maOffset, maOffset + 16));
}

/** Verifies a request's Message-Authenticator (constant-time). */
export function verifyMessageAuthenticator(packet: Buffer, maOffset: number, secret: Buffer): boolean {
  const expected = computeMessageAuthenticator(packet, maOffset, secret);
  return timingSafeEqual(expected, packet.subarray(maOffset, maOffset + 16));
}

/**
 * RFC 2865 §3: ResponseAuth = MD5(Code+ID+Length+RequestAuth+Attributes+Secret).
 * `reply` is the encoded reply; its authenticator field is ignored.
 */
export function computeResponseAuthenticator(reply: Buffer, requestAuthenticator: Buffer, secret: Buffer): Buffer {
  return md5(reply.subarray(0, 4), requestAuthenticator, reply.subarray(20), secret);
}

/** Verifies a reply's Response Authenticator against the request's authenticator (constant-time). */
export function verifyResponseAuthenticator(reply: Buffer, requestAuthenticator: Buffer, secret: Buffer): boolean {
  if (reply.length < 20) return false;
  const expected = computeResponseAuthenticator(reply, requestAuthenticator, secret);
  return timingSafeEqual(expected, reply.subarray(4, 20));
}
