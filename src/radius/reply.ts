/**
 * Building replies to Access-Requests (spec §5.3.2, RFC 2865 §4, RFC 3579 §3.2, BlastRADIUS).
 *
 * npm `radius`'s encoder appends Message-Authenticator *last* and only when the request had one
 * (and is slow and memory-hungry, see encode.ts). BlastRADIUS (CVE-2024-3596,
 * draft-ietf-radext-deprecating-radius) requires it *first* in every Access-Accept/Reject/Challenge,
 * so we lay the reply out with a zeroed Message-Authenticator as the first attribute, then fill in
 * the HMAC-MD5 (computed with the Request Authenticator in the header, RFC 3579 §3.2), then the
 * Response Authenticator (RFC 2865 §3).
 */
import { AuthproxyError } from '../errors.js';
import { computeMessageAuthenticator, computeResponseAuthenticator } from './authenticator.js';
import { Attr } from './dictionary.js';
import { writePacket } from './encode.js';
import { MAX_PACKET_LENGTH } from './packet.js';
import type { RadiusAttribute } from './types.js';

/** RFC 2865 §5: an attribute value holds at most 253 octets. */
export const MAX_ATTRIBUTE_VALUE = 253;

/** Reply codes we encode: Access-Accept, Access-Reject, Accounting-Response, Access-Challenge. */
const REPLY_CODES: ReadonlySet<number> = new Set([2, 3, 5, 11]);

/** What goes into a reply besides the header. */
export interface ReplySpec {
  readonly code: number;
  readonly identifier: number;
  readonly requestAuthenticator: Buffer;
  readonly secret: Buffer;
  /** Attributes in order (no Message-Authenticator, no Proxy-State: both are added here). */
  readonly attributes: readonly RadiusAttribute[];
  /** Proxy-State values from the request, echoed unmodified and in order (RFC 2865 §5.33). */
  readonly proxyStates: readonly Buffer[];
}

/**
 * Splits a Reply-Message text into attribute-sized UTF-8 chunks (≤ 253 octets each), never
 * cutting a multi-byte character. Duo's proxy sends nothing when the text is longer (spec §10.16);
 * we split it over several Reply-Message attributes, which NASes concatenate (RFC 2865 §5.18).
 */
export function replyMessageAttributes(text: string): RadiusAttribute[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: RadiusAttribute[] = [];
  let off = 0;
  while (off < bytes.length) {
    let end = Math.min(off + MAX_ATTRIBUTE_VALUE, bytes.length);
    while (end < bytes.length && end > off && (bytes[end]! & 0xc0) === 0x80) end--;
    out.push({ type: Attr.ReplyMessage, value: bytes.subarray(off, end) });
    off = end;
  }
  return out;
}

/** Encodes a reply with Message-Authenticator as its first attribute. Throws AP_ERR_RADIUS_ENCODE. */
export function encodeReply(spec: ReplySpec): Buffer {
  if (!REPLY_CODES.has(spec.code)) throw new AuthproxyError('AP_ERR_RADIUS_ENCODE', `cannot encode reply code ${spec.code}`);
  const attrs: Array<[number, Buffer]> = [[Attr.MessageAuthenticator, Buffer.alloc(16)]];
  for (const a of spec.attributes) {
    if (a.type === Attr.MessageAuthenticator || a.type === Attr.ProxyState) continue;
    if (a.value.length > MAX_ATTRIBUTE_VALUE) {
      throw new AuthproxyError('AP_ERR_RADIUS_ENCODE', `attribute ${a.type} value is ${a.value.length} octets (max 253)`);
    }
    attrs.push([a.type, a.value]);
  }
  for (const ps of spec.proxyStates) attrs.push([Attr.ProxyState, ps]);
  const size = 20 + attrs.reduce((n, [, v]) => n + 2 + v.length, 0);
  if (size > MAX_PACKET_LENGTH) {
    throw new AuthproxyError('AP_ERR_RADIUS_ENCODE', `reply would be ${size} octets (max ${MAX_PACKET_LENGTH})`);
  }
  let packet: Buffer;
  try {
    // Laid out by writePacket, not npm radius's encode(): see encode.ts for the measured reason.
    packet = writePacket(spec.code, spec.identifier, spec.requestAuthenticator, attrs);
  } catch (err) {
    throw new AuthproxyError('AP_ERR_RADIUS_ENCODE', 'reply encoding failed', { cause: err });
  }
  return signReply(packet, spec.requestAuthenticator, spec.secret, 22);
}

/**
 * Fills in Message-Authenticator at `maOffset` and then the Response Authenticator.
 * RFC 3579 §3.2: the HMAC is computed over the reply with the *Request* Authenticator in the
 * header and the Message-Authenticator zeroed; the Response Authenticator is computed last.
 */
export function signReply(packet: Buffer, requestAuthenticator: Buffer, secret: Buffer, maOffset: number): Buffer {
  requestAuthenticator.copy(packet, 4);
  computeMessageAuthenticator(packet, maOffset, secret).copy(packet, maOffset);
  computeResponseAuthenticator(packet, requestAuthenticator, secret).copy(packet, 4);
  return packet;
}

/**
 * Merges handler attributes into a reply attribute list (spec §5.3.2): each handed-over attribute,
 * then the message — which replaces any copied Reply-Message (keeping the first one's position).
 */
export function replyAttributes(attributes: readonly RadiusAttribute[], message: string | undefined): RadiusAttribute[] {
  if (message === undefined) return [...attributes];
  const msg = message === '' ? [] : replyMessageAttributes(message);
  const out: RadiusAttribute[] = [];
  let placed = false;
  for (const a of attributes) {
    if (a.type !== Attr.ReplyMessage) out.push(a);
    else if (!placed) {
      out.push(...msg);
      placed = true;
    }
  }
  if (!placed) out.push(...msg);
  return out;
}
