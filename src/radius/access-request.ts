/**
 * Building Access-Requests (as a RADIUS client: upstream `[radius_client]`, tests, load
 * generator) and checking the replies to them.
 */
import { computeMessageAuthenticator, randomAuthenticator, verifyReplyMessageAuthenticator, verifyResponseAuthenticator } from './authenticator.js';
import { Attr } from './dictionary.js';
import { writePacket } from './encode.js';
import { isMalformed, parsePacket, type ParsedPacket } from './packet.js';
import { encryptUserPassword } from './password.js';
import type { RadiusAttribute } from './types.js';

/** What to put in an Access-Request (or Status-Server). */
export interface AccessRequestSpec {
  readonly identifier: number;
  readonly secret: Buffer;
  /** Attributes in order, without User-Password and Message-Authenticator. */
  readonly attributes: readonly RadiusAttribute[];
  /** Plain password bytes, hidden per RFC 2865 §5.2 and placed after the other attributes. */
  readonly password?: Buffer | undefined;
  /** Defaults to 16 random bytes (RFC 2865 §3: unpredictable and unique). */
  readonly authenticator?: Buffer | undefined;
  /** Defaults to 1 (Access-Request); 12 for Status-Server. */
  readonly code?: number;
  /** Put Message-Authenticator first (default true; BlastRADIUS). */
  readonly messageAuthenticator?: boolean;
}

/** Encodes an Access-Request with Message-Authenticator as its first attribute. */
export function encodeAccessRequest(spec: AccessRequestSpec): Buffer {
  const authenticator = spec.authenticator ?? randomAuthenticator();
  const withMa = spec.messageAuthenticator ?? true;
  const attrs: Array<[number, Buffer]> = withMa ? [[Attr.MessageAuthenticator, Buffer.alloc(16)]] : [];
  for (const a of spec.attributes) {
    if (a.type !== Attr.MessageAuthenticator && a.type !== Attr.UserPassword) attrs.push([a.type, a.value]);
  }
  if (spec.password !== undefined) attrs.push([Attr.UserPassword, encryptUserPassword(spec.password, spec.secret, authenticator)]);
  // Laid out by writePacket, not npm radius's encode(): see encode.ts for the measured reason.
  const packet = writePacket(spec.code === 12 ? 12 : 1, spec.identifier, authenticator, attrs);
  // RFC 3579 §3.2: for requests the HMAC covers the packet with the Request Authenticator as sent.
  if (withMa) computeMessageAuthenticator(packet, 22, spec.secret).copy(packet, 22);
  return packet;
}

/** Result of checking a reply against the request it answers. */
export type ReplyCheck =
  | { readonly ok: true; readonly packet: ParsedPacket }
  | { readonly ok: false; readonly reason: string };

/**
 * Checks a reply: structure, Identifier, Response Authenticator (RFC 2865 §3) and, when present
 * or required, Message-Authenticator (RFC 3579 §3.2, computed with the *request* authenticator).
 */
export function checkReply(reply: Buffer, request: { identifier: number; authenticator: Buffer }, secret: Buffer, requireMessageAuthenticator = false): ReplyCheck {
  const packet = parsePacket(reply);
  if (isMalformed(packet)) return { ok: false, reason: packet.reason };
  if (packet.identifier !== request.identifier) return { ok: false, reason: 'response identifier does not match' };
  if (!verifyResponseAuthenticator(reply, request.authenticator, secret)) return { ok: false, reason: 'invalid Response Authenticator' };
  if (packet.messageAuthenticatorOffset >= 0) {
    if (!verifyReplyMessageAuthenticator(reply, packet.messageAuthenticatorOffset, request.authenticator, secret)) return { ok: false, reason: 'invalid Message-Authenticator' };
  } else if (requireMessageAuthenticator) {
    return { ok: false, reason: 'missing Message-Authenticator' };
  }
  return { ok: true, packet };
}

/** A text attribute (UTF-8). */
export function textAttribute(type: number, text: string): RadiusAttribute {
  return { type, value: Buffer.from(text, 'utf8') };
}

/** A request relayed as-is (spec §3.3). */
export interface RelayedRequestSpec {
  /** The NAS's Request Authenticator, sent upstream unchanged. */
  readonly authenticator: Buffer;
  /**
   * The NAS's attributes in wire order, copied as they are (State, EAP-Message, Proxy-State…;
   * a User-Password stays hidden with the NAS's secret). Message-Authenticator is recomputed.
   */
  readonly attributes: readonly RadiusAttribute[];
}

/**
 * The bytes of a relayed request (spec §3.3): header with the new Identifier and the NAS's
 * authenticator, the NAS's attributes as they are, one Message-Authenticator (in place, or added
 * first) computed over the packet with the upstream secret (RFC 3579 §3.2). Throws a RangeError
 * on an impossible packet.
 */
export function encodeRelayedRequest(id: number, request: RelayedRequestSpec, secret: Buffer): Buffer {
  const zero = Buffer.alloc(16);
  const hasMa = request.attributes.some((a) => a.type === Attr.MessageAuthenticator);
  const attrs: Array<[number, Buffer]> = hasMa ? [] : [[Attr.MessageAuthenticator, zero]];
  let maOffset = hasMa ? -1 : 22;
  let offset = 20 + (hasMa ? 0 : 18);
  for (const a of request.attributes) {
    if (a.type === Attr.MessageAuthenticator) {
      if (maOffset >= 0) continue; // one Message-Authenticator only (RFC 3579 §3.2)
      maOffset = offset + 2;
      attrs.push([a.type, zero]);
    } else {
      attrs.push([a.type, a.value]);
    }
    offset += 2 + a.value.length;
  }
  const packet = writePacket(1, id, request.authenticator, attrs);
  computeMessageAuthenticator(packet, maOffset, secret).copy(packet, maOffset);
  return packet;
}

