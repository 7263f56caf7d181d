/**
 * Attribute names ↔ numbers. npm `radius` ships the RFC dictionaries and the decoder/encoder;
 * we add our own vendor dictionaries (Juniper 2636, Cisco 9, Microsoft 311, Palo Alto 25461,
 * in ./dictionaries) so their attributes can be named in `pass_through_attr_names` and
 * `client_ip_attr`, as in Duo's built-in dictionary (spec §5.1).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import radius from 'radius';
import type { RadiusAttribute } from './types.js';

/** Attribute type numbers used by the proxy itself (RFC 2865, 2869, 3579). */
export const Attr = {
  UserName: 1,
  UserPassword: 2,
  ChapPassword: 3,
  NasIpAddress: 4,
  ReplyMessage: 18,
  State: 24,
  Class: 25,
  VendorSpecific: 26,
  CallingStationId: 31,
  ProxyState: 33,
  EapMessage: 79,
  MessageAuthenticator: 80,
} as const;

/** Vendors whose dictionaries we ship, by id. */
export const VENDORS: Readonly<Record<string, number>> = {
  Cisco: 9,
  Microsoft: 311,
  Juniper: 2636,
  PaloAlto: 25461,
  'ADSL-Forum': 3561,
};

/** A resolved attribute name: top-level (`vendorId` undefined) or a vendor sub-attribute. */
export interface AttributeRef {
  readonly name: string;
  /** Top-level type (26 for vendor attributes). */
  readonly type: number;
  readonly vendorId?: number;
  readonly vendorType?: number;
  /** Dictionary data type: string, octets, integer, ipaddr, date… */
  readonly dataType: string;
}

const ATTR_TYPE = 2;

function dictionariesDir(): string {
  // Works from src/radius (vitest) and dist/src/radius (built): find the shipped folder.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'src', 'radius', 'dictionaries');
    if (existsSync(join(dir, 'dictionaries', 'dictionary.microsoft'))) return join(dir, 'dictionaries');
    if (existsSync(join(candidate, 'dictionary.microsoft'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('radius vendor dictionaries not found');
}

let loaded = false;
/** Loads npm `radius`'s RFC dictionaries plus ours (idempotent, synchronous, at first use). */
export function loadDictionaries(): void {
  if (loaded) return;
  radius.add_dictionary(dictionariesDir());
  radius.load_dictionaries();
  loaded = true;
}

const cache = new Map<string, AttributeRef | null>();

/** Resolves an attribute name (exact spelling, as in the dictionaries) or returns undefined. */
export function resolveAttribute(name: string): AttributeRef | undefined {
  const hit = cache.get(name);
  if (hit !== undefined) return hit ?? undefined;
  loadDictionaries();
  let ref: AttributeRef | null = null;
  const top = radius.attr_name_to_id(name);
  if (top !== undefined) {
    ref = { name, type: Number(top), dataType: String(radius._attr_to(name, undefined, ATTR_TYPE)) };
  } else {
    for (const vendorId of Object.values(VENDORS)) {
      const id = radius.attr_name_to_id(name, vendorId);
      if (id === undefined) continue;
      const dataType = String(radius._attr_to(name, vendorId, ATTR_TYPE));
      ref = { name, type: Attr.VendorSpecific, vendorId, vendorType: Number(id), dataType };
      break;
    }
  }
  cache.set(name, ref);
  return ref ?? undefined;
}

/** Splits a Vendor-Specific value into its sub-attributes (RFC 2865 §5.26 format). */
export function vendorSubAttributes(value: Buffer): { vendorId: number; subs: RadiusAttribute[] } | undefined {
  if (value.length < 4) return undefined;
  const vendorId = value.readUInt32BE(0);
  const subs: RadiusAttribute[] = [];
  let off = 4;
  while (off < value.length) {
    if (off + 2 > value.length) return undefined;
    const len = value[off + 1]!;
    if (len < 2 || off + len > value.length) return undefined;
    subs.push({ type: value[off]!, value: value.subarray(off + 2, off + len) });
    off += len;
  }
  return { vendorId, subs };
}

/** All values of `ref` in `attrs`, in order (vendor sub-attribute values for vendor refs). */
export function attributeValues(attrs: readonly RadiusAttribute[], ref: AttributeRef): Buffer[] {
  const out: Buffer[] = [];
  for (const a of attrs) {
    if (a.type !== ref.type) continue;
    if (ref.vendorId === undefined) {
      out.push(a.value);
      continue;
    }
    const vsa = vendorSubAttributes(a.value);
    if (vsa?.vendorId !== ref.vendorId) continue;
    for (const s of vsa.subs) if (s.type === ref.vendorType) out.push(s.value);
  }
  return out;
}

/**
 * True when the top-level attribute `a` carries `ref`: its type, or for a vendor ref a well-formed
 * Vendor-Specific value (RFC 2865 §5.26) of that vendor with a sub-attribute of that type.
 * Allocates nothing: the pipeline asks this of every attribute of every login.
 */
export function attributeCarries(a: RadiusAttribute, ref: AttributeRef): boolean {
  if (a.type !== ref.type) return false;
  if (ref.vendorId === undefined) return true;
  const v = a.value;
  if (v.length < 4 || v.readUInt32BE(0) !== ref.vendorId) return false;
  let found = false;
  for (let off = 4; off < v.length; ) {
    if (off + 2 > v.length) return false;
    const len = v[off + 1]!;
    if (len < 2 || off + len > v.length) return false;
    if (v[off] === ref.vendorType) found = true;
    off += len;
  }
  return found;
}

/** The attributes of `attrs` that carry `ref` (whole top-level attributes, wire form). */
export function selectAttributes(attrs: readonly RadiusAttribute[], ref: AttributeRef): RadiusAttribute[] {
  return attrs.filter((a) => attributeCarries(a, ref));
}

/** Builds a Vendor-Specific attribute holding one sub-attribute. */
export function vendorAttribute(vendorId: number, vendorType: number, value: Buffer): RadiusAttribute {
  const v = Buffer.alloc(6 + value.length);
  v.writeUInt32BE(vendorId, 0);
  v[4] = vendorType;
  v[5] = 2 + value.length;
  value.copy(v, 6);
  return { type: Attr.VendorSpecific, value: v };
}

/** The first value of a top-level attribute, or undefined. */
export function firstValue(attrs: readonly RadiusAttribute[], type: number): Buffer | undefined {
  for (const a of attrs) if (a.type === type) return a.value;
  return undefined;
}

/** A printable name for an attribute (dumps and logs). */
export function attributeName(attr: RadiusAttribute): string {
  loadDictionaries();
  if (attr.type === Attr.VendorSpecific) {
    const vsa = vendorSubAttributes(attr.value);
    const sub = vsa?.subs[0];
    if (vsa && sub) return radius.attr_id_to_name(sub.type, vsa.vendorId) ?? `Vendor-${vsa.vendorId}-Attr-${sub.type}`;
  }
  return radius.attr_id_to_name(attr.type) ?? `Attr-${attr.type}`;
}
