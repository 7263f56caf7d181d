/**
 * Strict datagram validation before any byte reaches npm `radius`, then decoding.
 *
 * npm `radius` trusts the Length field and attribute lengths more than a server may (it accepts
 * trailing bytes, truncated attributes inside a Vendor-Specific, and throws plain strings), so every
 * length is checked here first (RFC 2865 §3, §5; spec/security.md "Packet validity") and each failure
 * gets one specific, stable reason that the server logs as `dropping packet from <ip>:<port> - <reason>`.
 */
import radius from 'radius';
import { Attr, loadDictionaries } from './dictionary.js';
import type { RadiusAttribute } from './types.js';

/** RFC 2865 §3: "The minimum length is 20 and maximum length is 4096." */
export const MIN_PACKET_LENGTH = 20;
/** RFC 2865 §3 maximum packet length. */
export const MAX_PACKET_LENGTH = 4096;

/** A datagram that passed structural validation. */
export interface ParsedPacket {
  readonly code: number;
  readonly identifier: number;
  readonly authenticator: Buffer;
  readonly attributes: RadiusAttribute[];
  /** Offset of the Message-Authenticator value (for verification), or -1. */
  readonly messageAuthenticatorOffset: number;
}

/** Why a datagram was rejected; `reason` is the log text. */
export interface MalformedPacket {
  readonly malformed: true;
  readonly reason: string;
}

function malformed(reason: string): MalformedPacket {
  return { malformed: true, reason };
}

/**
 * Validates a datagram's structure and returns its attributes in wire order, or a reason.
 * Never throws, whatever the bytes.
 */
export function parsePacket(data: Buffer): ParsedPacket | MalformedPacket {
  if (data.length < MIN_PACKET_LENGTH) return malformed('Packet header is corrupt');
  const length = data.readUInt16BE(2);
  // RFC 2865 §3 allows padding beyond Length; Duo's proxy (spec §5.3 step 3, §10 item 12) does not,
  // and neither do we: the Length field must equal the datagram size exactly.
  if (length > MAX_PACKET_LENGTH) return malformed(`Packet length is too long (${length})`);
  if (length !== data.length) return malformed('Packet has invalid length');
  const attributes: RadiusAttribute[] = [];
  let maOffset = -1;
  let off = MIN_PACKET_LENGTH;
  while (off < length) {
    if (off + 2 > length) return malformed('Attribute header is corrupt');
    const type = data[off]!;
    const len = data[off + 1]!;
    if (len < 2) return malformed(`Attribute length is too small (${len})`);
    if (off + len > length) return malformed('Attribute header is corrupt');
    if (type === 0) return malformed('Attribute type 0 is invalid');
    const value = data.subarray(off + 2, off + len);
    const problem = checkAttribute(type, value);
    if (problem) return malformed(problem);
    if (type === Attr.MessageAuthenticator && maOffset === -1) maOffset = off + 2;
    attributes.push({ type, value });
    off += len;
  }
  return {
    code: data[0]!,
    identifier: data[1]!,
    authenticator: data.subarray(4, 20),
    attributes,
    messageAuthenticatorOffset: maOffset,
  };
}

function checkAttribute(type: number, value: Buffer): string | undefined {
  // RFC 3579 §3.2: Message-Authenticator is exactly 18 octets long.
  if (type === Attr.MessageAuthenticator && value.length !== 16) return 'Message-Authenticator has invalid length';
  if (type === Attr.VendorSpecific) return checkVendorSpecific(value);
  return undefined;
}

/** RFC 2865 §5.26: length ≥ 6; every sub-attribute length ≥ 2 and inside its VSA. */
function checkVendorSpecific(value: Buffer): string | undefined {
  if (value.length < 4) return 'Vendor-Specific attribute is too short';
  // npm `radius` rejects vendor ids ≥ 2^24 ("Invalid vendor id"); RFC 2865 says the high octet is 0.
  if (value[0] !== 0) return 'Vendor-Specific attribute has an invalid vendor id';
  let off = 4;
  while (off < value.length) {
    if (off + 2 > value.length) return 'Vendor-Specific sub-attribute header is corrupt';
    const len = value[off + 1]!;
    if (len < 2 || off + len > value.length) return `Vendor-Specific sub-attribute length is invalid (${len})`;
    off += len;
  }
  return undefined;
}

/** True when `p` is a {@link MalformedPacket}. */
export function isMalformed(p: ParsedPacket | MalformedPacket): p is MalformedPacket {
  return 'malformed' in p;
}

/**
 * Decodes a validated packet's attributes by name with npm `radius` (dictionary-typed values:
 * strings, integers, addresses). Only for dumps and diagnostics: the proxy's own logic works on
 * the raw attributes, which are exact. Returns undefined where `radius` cannot type a value.
 */
export function decodeNamed(data: Buffer): Record<string, unknown> | undefined {
  loadDictionaries();
  try {
    return radius.decode_without_secret({ packet: data }).attributes;
  } catch {
    return undefined;
  }
}
