/**
 * NAS networks as written in `radius_ip_N` (spec §5.1): a single IPv4/IPv6 address, a CIDR
 * network (`10.0.0.0/8`; host bits are masked off, as Duo does), an IPv4 `address/netmask`
 * (`3.3.3.3/255.255.0.0`) or an inclusive range `a-b` (blanks around `-` allowed). Every form is
 * reduced to an inclusive range of addresses, which makes "most specific match wins" a comparison
 * of sizes.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { pyStrip } from './py-text.js';

/** An inclusive address range of one family. */
export interface NetworkRange {
  readonly family: 4 | 6;
  readonly first: bigint;
  readonly last: bigint;
}

/** A parsed address. */
export interface ParsedAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;

/** Parses one IPv4 or IPv6 address (no zone id, no leading zeros in IPv4 octets). */
export function parseAddress(text: string): ParsedAddress | undefined {
  if (text.includes('%')) return undefined;
  if (isIPv4(text)) return { family: 4, value: ipv4ToBigint(text) };
  if (isIPv6(text)) return { family: 6, value: ipv6ToBigint(text) };
  return undefined;
}

/** Parses a `radius_ip_N` value; undefined when it is none of the accepted forms. */
export function parseNetwork(text: string): NetworkRange | undefined {
  const dash = text.indexOf('-');
  if (dash >= 0) return parseRange(pyStrip(text.slice(0, dash)), pyStrip(text.slice(dash + 1)));
  const slash = text.indexOf('/');
  if (slash >= 0) return parseMasked(text.slice(0, slash), text.slice(slash + 1));
  const addr = parseAddress(text);
  return addr && { family: addr.family, first: addr.value, last: addr.value };
}

/**
 * True when `address` (as reported by a UDP socket) lies in `range`. IPv4-mapped IPv6 sources
 * (`::ffff:10.0.0.5`, seen on dual-stack sockets) match IPv4 networks.
 */
export function networkContains(range: NetworkRange, address: string): boolean {
  const addr = parseSourceAddress(address);
  return addr !== undefined && rangeContains(range, addr);
}

/** True when a parsed address lies in `range`. */
export function rangeContains(range: NetworkRange, addr: ParsedAddress): boolean {
  return addr.family === range.family && addr.value >= range.first && addr.value <= range.last;
}

/** `::ffff:10.0.0.5` (a dual-stack socket's view of an IPv4 peer) → `10.0.0.5`; others unchanged. */
export function unmapIpv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Parses a socket's source address; IPv4-mapped IPv6 (`::ffff:10.0.0.5`) becomes IPv4. */
export function parseSourceAddress(address: string): ParsedAddress | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return parseAddress(mapped?.[1] ?? address);
}

/** Number of addresses in the range (smaller = more specific). */
export function networkSize(range: NetworkRange): bigint {
  return range.last - range.first + 1n;
}

function parseRange(a: string, b: string): NetworkRange | undefined {
  const first = parseAddress(a);
  const last = parseAddress(b);
  if (!first || !last || first.family !== last.family || first.value > last.value) return undefined;
  return { family: first.family, first: first.value, last: last.value };
}

function parseMasked(addrText: string, maskText: string): NetworkRange | undefined {
  const addr = parseAddress(addrText);
  if (!addr) return undefined;
  const bits = BITS[addr.family];
  let prefix: number | undefined;
  if (/^\d{1,3}$/.test(maskText)) prefix = Number(maskText);
  else if (addr.family === 4 && isIPv4(maskText)) prefix = netmaskPrefix(ipv4ToBigint(maskText));
  if (prefix === undefined || prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const hostMask = (1n << hostBits) - 1n;
  const first = addr.value & ~hostMask;
  return { family: addr.family, first, last: first | hostMask };
}

/** Prefix length of a contiguous IPv4 netmask (`255.255.0.0` → 16); undefined if not contiguous. */
function netmaskPrefix(mask: bigint): number | undefined {
  for (let prefix = 0; prefix <= 32; prefix++) {
    const m = ((1n << BigInt(prefix)) - 1n) << BigInt(32 - prefix);
    if (m === mask) return prefix;
  }
  return undefined;
}

function ipv4ToBigint(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToBigint(text: string): bigint {
  let groups: string[];
  const tailV4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let body = text;
  if (tailV4?.[1]) {
    const v4 = ipv4ToBigint(tailV4[1]);
    body = text.slice(0, -tailV4[1].length) + `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length === 2) {
    const head = halves[0] ? halves[0].split(':') : [];
    const tail = halves[1] ? halves[1].split(':') : [];
    groups = [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  } else {
    groups = body.split(':');
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
