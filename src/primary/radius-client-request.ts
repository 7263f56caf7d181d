/**
 * Building the upstream Access-Request of a `[radius_client]` login (spec §3.2 step 2, §3.4).
 * Pure: attributes in, attributes out; the transport adds Message-Authenticator (first) and the
 * hidden User-Password.
 */
import { Attr, attributeCarries, firstValue, resolveAttribute, vendorSubAttributes, type AttributeRef } from '../radius/dictionary.js';
import type { RadiusAttribute } from '../radius/types.js';
import { parseSourceAddress } from '../util/ip.js';
import type { PrimaryRequest } from './types.js';

/** RFC 3162 §2.4 NAS-IPv6-Address, used when `nas_ip` is an IPv6 address. */
const NAS_IPV6_ADDRESS = 95;

/**
 * Never copied from the NAS request (spec §9.1 clone rule): the NAS's Message-Authenticator would
 * be stale, a foreign Proxy-State is what BlastRADIUS-hardened upstreams refuse, and the NAS's
 * User-Password is hidden with the NAS's secret (ours is re-hidden with the upstream secret).
 */
const NEVER_COPIED: ReadonlySet<number> = new Set([Attr.MessageAuthenticator, Attr.ProxyState, Attr.UserPassword]);

/** MS-CHAP request attributes forwarded whenever the NAS sent them (spec §3.2 step 2.2). */
export const MSCHAP_REQUEST_ATTRIBUTES = ['MS-CHAP-Challenge', 'MS-CHAP2-Response', 'MS-CHAP2-CPW', 'MS-CHAP-NT-Enc-PW'] as const;

/** `NAS-IP-Address` (or `NAS-IPv6-Address` for an IPv6 `nas_ip`) carrying `nasIp` (validated by the caller). */
export function nasIpAttribute(nasIp: string): RadiusAttribute {
  // Every upstream request carries it: parsed once per address (the parse goes through BigInt).
  let attr = nasIpCache.get(nasIp);
  if (!attr) {
    attr = parseNasIp(nasIp);
    if (nasIpCache.size < 16) nasIpCache.set(nasIp, attr);
  }
  return attr;
}

const nasIpCache = new Map<string, RadiusAttribute>();

function parseNasIp(nasIp: string): RadiusAttribute {
  const addr = parseSourceAddress(nasIp); // ::ffff:a.b.c.d is an IPv4 nas_ip
  if (!addr) throw new TypeError(`nas_ip "${nasIp}" is not an IP address`);
  const size = addr.family === 4 ? 4 : 16;
  const value = Buffer.alloc(size);
  for (let i = size - 1, v = addr.value; i >= 0; i--, v >>= 8n) value[i] = Number(v & 0xffn);
  return { type: addr.family === 4 ? Attr.NasIpAddress : NAS_IPV6_ADDRESS, value };
}

/** Identity of an attribute for "add only if absent": its type, or (vendor, vendor type) for VSAs. */
function attributeKey(a: RadiusAttribute): string {
  if (a.type !== Attr.VendorSpecific) return String(a.type);
  const vsa = vendorSubAttributes(a.value);
  return vsa ? `26:${vsa.vendorId}:${vsa.subs[0]?.type ?? ''}` : `26:${a.value.toString('hex')}`;
}

/**
 * Appends each of `candidates` whose key is not yet in `out` (all values of a multi-valued
 * attribute such as Class travel together, as a whole key is copied or not).
 */
function addIfAbsent(out: RadiusAttribute[], candidates: readonly RadiusAttribute[]): void {
  if (candidates.length === 0) return;
  const present = new Set(out.map(attributeKey));
  for (const a of candidates) {
    if (!NEVER_COPIED.has(a.type) && !present.has(attributeKey(a))) out.push(a);
  }
}

/** The NAS request's MS-CHAP request attributes, in wire order. */
export function mschapRequestAttributes(attrs: readonly RadiusAttribute[]): RadiusAttribute[] {
  mschapRefs ??= MSCHAP_REQUEST_ATTRIBUTES.map((n) => resolveAttribute(n)).filter((r) => r !== undefined);
  const refs = mschapRefs;
  return attrs.filter((a) => refs.some((r) => attributeCarries(a, r)));
}

/** Resolved once (the dictionaries load lazily): this runs twice for every upstream login. */
let mschapRefs: AttributeRef[] | undefined;

/** Replaces every attribute of `type` by `value`. */
function overwrite(out: RadiusAttribute[], type: number, value: Buffer): RadiusAttribute[] {
  const kept = out.filter((a) => a.type !== type);
  kept.push({ type, value });
  return kept;
}

/**
 * The upstream request's attributes, in Duo's order (spec §3.4): `NAS-IP-Address` first; then
 * the server section's pass-through attributes and the MS-CHAP request attributes, each only if
 * absent; then `User-Name` (verbatim), `Calling-Station-Id` (client IP, if non-empty) and the
 * upstream `State` (when answering a relayed challenge) overwrite whatever was copied.
 */
export function buildUpstreamAttributes(request: PrimaryRequest, nasIp: string): RadiusAttribute[] {
  let out: RadiusAttribute[] = [nasIpAttribute(nasIp)];
  addIfAbsent(out, request.passThrough);
  addIfAbsent(out, mschapRequestAttributes(request.request.attributes));
  out = overwrite(out, Attr.UserName, userNameBytes(request));
  if (request.clientIp) out = overwrite(out, Attr.CallingStationId, Buffer.from(request.clientIp, 'utf8'));
  if (request.upstreamState) out = overwrite(out, Attr.State, request.upstreamState);
  return out;
}

/** The NAS's User-Name bytes, verbatim, unless the caller changed the name. */
function userNameBytes(request: PrimaryRequest): Buffer {
  const raw = firstValue(request.request.attributes, Attr.UserName);
  if (raw && request.request.userName === request.username) return raw;
  return Buffer.from(request.username, 'utf8');
}

/** True when the login is MS-CHAP (no User-Password goes upstream, spec §3.2 step 2.4). */
export function isMschapLogin(request: PrimaryRequest): boolean {
  return mschapRequestAttributes(request.request.attributes).length > 0;
}
