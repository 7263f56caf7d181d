/**
 * Mutators for the fuzzers: RADIUS datagrams (bit flips, interesting bytes, header and attribute
 * length edits, attribute splicing from other corpus entries, truncation, duplication, random
 * attributes and Vendor-Specific sub-attributes) and config text (line edits, known keys with
 * hostile values, section headers, continuation lines, comment and separator games).
 */
import type { Rng } from './fuzz-rng.js';

/** Largest datagram the mutator produces (a little over RFC 2865's 4096, to test the bound). */
export const MAX_FUZZ_DATAGRAM = 4200;

const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x03, 0x06, 0x10, 0x12, 0x14, 0x1a, 0x50, 0x7f, 0x80, 0xfd, 0xfe, 0xff];
const ATTR_TYPES = [1, 2, 3, 4, 5, 6, 8, 11, 18, 24, 25, 26, 30, 31, 32, 33, 60, 79, 80, 95, 0, 255];
const VENDORS = [311, 9, 2636, 25461, 0, 0xffffff];
const CODES = [1, 1, 1, 1, 2, 3, 4, 5, 11, 12, 13, 40, 0, 255];

/** One attribute's place in a datagram. */
export interface Span {
  readonly off: number;
  readonly len: number;
}

/** The attribute TLVs of a datagram, as far as they are plausible (stops at the first bad one). */
export function attributeSpans(p: Buffer): Span[] {
  const out: Span[] = [];
  let off = 20;
  while (off + 2 <= p.length) {
    const len = p[off + 1]!;
    if (len < 2 || off + len > p.length) break;
    out.push({ off, len });
    off += len;
  }
  return out;
}

/** Writes the real size into the Length field (so mutants get past the first check). */
export function fixLength(p: Buffer): Buffer {
  if (p.length >= 4) p.writeUInt16BE(Math.min(p.length, 0xffff), 2);
  return p;
}

function randomAttribute(rng: Rng): Buffer {
  const type = rng.pick(ATTR_TYPES);
  if (type === 26 && rng.chance(0.7)) return randomVsa(rng);
  const len = rng.chance(0.1) ? rng.int(256) : rng.int(40);
  const value = type === 80 && rng.chance(0.6) ? rng.bytes(16) : rng.bytes(len);
  return Buffer.concat([Buffer.from([type, Math.min(value.length + 2, 255)]), value.subarray(0, 253)]);
}

function randomVsa(rng: Rng): Buffer {
  const subs: Buffer[] = [];
  for (let i = rng.int(4); i >= 0; i--) {
    const v = rng.bytes(rng.int(20));
    const declared = rng.chance(0.8) ? v.length + 2 : rng.pick([0, 1, 2, v.length + 3, 255]);
    subs.push(Buffer.concat([Buffer.from([rng.int(40), declared & 0xff]), v]));
  }
  const vendor = Buffer.alloc(4);
  vendor.writeUInt32BE(rng.pick(VENDORS) >>> 0);
  const body = Buffer.concat([vendor, ...subs]).subarray(0, 253);
  return Buffer.concat([Buffer.from([26, body.length + 2]), body]);
}

type PacketOp = (p: Buffer, rng: Rng, corpus: readonly Buffer[]) => Buffer;

const insertAt = (p: Buffer, at: number, b: Buffer): Buffer => Buffer.concat([p.subarray(0, at), b, p.subarray(at)]);
const spanAt = (p: Buffer, rng: Rng): Span | undefined => {
  const spans = attributeSpans(p);
  return spans.length ? rng.pick(spans) : undefined;
};
const boundary = (p: Buffer, rng: Rng): number => {
  const spans = attributeSpans(p);
  return spans.length && rng.chance(0.8) ? rng.pick(spans).off : Math.min(p.length, 20 + rng.int(Math.max(1, p.length - 19)));
};

const PACKET_OPS: readonly PacketOp[] = [
  (p, rng) => (p.length ? (p[rng.int(p.length)]! ^= 1 << rng.int(8), p) : p),
  (p, rng) => (p.length ? ((p[rng.int(p.length)] = rng.pick(INTERESTING_BYTES)), p) : p),
  (p, rng) => {
    if (p.length < 4) return p;
    const choices = [p.length, p.length - 1, p.length + 1, 19, 20, 4096, 4097, 0xffff, rng.int(0x10000)];
    p.writeUInt16BE(rng.pick(choices), 2);
    return p;
  },
  (p, rng) => {
    const s = spanAt(p, rng);
    if (s) p[s.off + 1] = rng.pick([0, 1, 2, 3, s.len - 1, s.len + 1, 18, 255, rng.int(256)]) & 0xff;
    return p;
  },
  (p, rng, corpus) => {
    const donor = rng.pick(corpus);
    const s = spanAt(donor, rng);
    return s ? insertAt(p, boundary(p, rng), donor.subarray(s.off, s.off + s.len)) : p;
  },
  (p, rng) => p.subarray(0, rng.int(p.length + 1)),
  (p, rng) => {
    const s = spanAt(p, rng);
    if (!s) return p;
    const copy = p.subarray(s.off, s.off + s.len);
    return insertAt(p, s.off, Buffer.concat(Array.from({ length: 1 + rng.int(3) }, () => copy)));
  },
  (p, rng) => {
    const s = spanAt(p, rng);
    return s ? Buffer.concat([p.subarray(0, s.off), p.subarray(s.off + s.len)]) : p;
  },
  (p, rng) => insertAt(p, boundary(p, rng), randomAttribute(rng)),
  (p, rng) => (p.length ? ((p[0] = rng.pick(CODES)), p) : p),
  (p, rng) => Buffer.concat([p, rng.bytes(1 + rng.int(8))]),
  (p, rng) => (p.length >= 20 ? (rng.bytes(16).copy(p, 4), p) : p),
  (p, rng) => {
    // Grow towards the 4096-octet limit with full-size attributes (Class, Proxy-State, VSAs).
    const goal = 3700 + rng.int(450);
    const parts = [p];
    for (let n = p.length; n < goal; ) {
      const len = Math.min(255, Math.max(2, goal - n));
      const a = Buffer.concat([Buffer.from([rng.pick([25, 33, 26, 18, 79]), len]), rng.bytes(len - 2)]);
      parts.push(a);
      n += len;
    }
    return Buffer.concat(parts);
  },
];

/**
 * 1–4 random edits of `input` (a copy); with probability `fixProbability` the Length field is
 * then set to the real size so that most mutants reach the attribute checks.
 */
export function mutatePacket(input: Buffer, corpus: readonly Buffer[], rng: Rng, fixProbability = 0.6): Buffer {
  let p = Buffer.from(input);
  for (let n = 1 + rng.int(4); n > 0; n--) {
    p = Buffer.from(rng.pick(PACKET_OPS)(p, rng, corpus));
    if (p.length > MAX_FUZZ_DATAGRAM) p = p.subarray(0, MAX_FUZZ_DATAGRAM);
  }
  return rng.chance(fixProbability) ? fixLength(p) : p;
}

const HOSTILE_VALUES = [
  '', '0', '-1', '1', '65535', '65536', '99999999999999999999999', '0x10', '1e3', ' 12 ', 'true', 'FALSE', 'yes',
  'x'.repeat(300), '127.0.0.1', '::1', '10.0.0.0/8', '10.0.0.0/33', '1.2.3.4-1.2.3.1', '1.2.3.4/255.0.255.0',
  'a,b,,c', 'auto,push,phone,passcode', 'sms', 'é€😀', '%(x)s', '${x}', '"quoted"', "'q'", '; not a comment', '#x',
  'ad_client', 'radius_client', 'duo_only_client', 'secure', 'SAFE', 'latin-1', 'utf_8', 'cp1252', 'nope-codec',
  'Calling-Station-Id', 'paloalto', 'Unknown-Attr', '\u0000', '\ud800',
];
const SECTION_NAMES = [
  'main', 'ad_client', 'ad_client2', 'radius_client', 'duo_only_client', 'radius_server_auto', 'radius_server_auto7',
  'radius_server_challenge', 'radius_server_concat', 'radius_server_duo_only', 'radius_server_iframe', 'ldap_server_auto',
  'cloud', 'http_proxy', 'DEFAULT', 'Main', 'radius_server_auto_x', '', ' main ',
];

type TextOp = (lines: string[], rng: Rng, corpus: readonly string[], keys: readonly string[]) => string[];

const TEXT_OPS: readonly TextOp[] = [
  (l, rng) => (l.length ? (l.splice(rng.int(l.length), 1), l) : l),
  (l, rng) => (l.length ? (l.splice(rng.int(l.length), 0, l[rng.int(l.length)]!), l) : l),
  (l, rng) => {
    if (l.length < 2) return l;
    const [i, j] = [rng.int(l.length), rng.int(l.length)];
    [l[i], l[j]] = [l[j]!, l[i]!];
    return l;
  },
  (l, rng, corpus) => {
    const donor = rng.pick(corpus).split('\n');
    l.splice(rng.int(l.length + 1), 0, ...donor.slice(rng.int(donor.length), rng.int(donor.length) + 1 + rng.int(4)));
    return l;
  },
  (l, rng, _c, keys) => (l.splice(rng.int(l.length + 1), 0, `${rng.pick(keys)}${rng.pick(['=', ':', ' = ', '=='])}${rng.pick(HOSTILE_VALUES)}`), l),
  (l, rng) => {
    const i = rng.int(l.length);
    const m = /^([^=:]*[=:])/.exec(l[i] ?? '');
    if (m) l[i] = `${m[1]}${rng.pick(HOSTILE_VALUES)}`;
    return l;
  },
  (l, rng) => (l.splice(rng.int(l.length + 1), 0, `[${rng.pick(SECTION_NAMES)}]`), l),
  (l, rng) => {
    const i = rng.int(l.length);
    if (l[i] !== undefined) l[i] = rng.pick([' ', '\t', ';', '#', '[', '  ']) + l[i];
    return l;
  },
  (l, rng) => {
    const i = rng.int(l.length);
    const s = l[i] ?? '';
    const at = rng.int(s.length + 1);
    l[i] = s.slice(0, at) + rng.pick(['\r', '\t', '\u0000', '=', ':', ']', '[', 'é', '\u2028', '\ufeff', ' ']) + s.slice(at);
    return l;
  },
  (l, rng) => {
    const i = rng.int(l.length);
    if (l[i] !== undefined) l[i] = rng.chance(0.5) ? l[i]!.toUpperCase() : l[i]!.replace(/_(\d+)/, `_${rng.int(12)}`);
    return l;
  },
];

/** 1–4 random line-level edits of config text. `keys` are option names to plant. */
export function mutateConfigText(input: string, corpus: readonly string[], keys: readonly string[], rng: Rng): string {
  let lines = input.split('\n');
  for (let n = 1 + rng.int(4); n > 0; n--) lines = rng.pick(TEXT_OPS)(lines, rng, corpus, keys);
  return lines.slice(0, 400).join('\n');
}
