/**
 * IP networks as written in `radius_ip_N` (spec §5.1): a single IPv4/IPv6 address, CIDR
 * (`10.0.0.0/8`, host bits masked off), `IP/netmask` (`3.3.3.3/255.255.0.0`) or an inclusive
 * range `a-b` (spaces around `-` allowed). Addresses are compared as BigInt in one family.
 */
import { isIP } from 'node:net';

/** A contiguous address interval in one family. `size` orders specificity (smaller = more specific). */
export interface IpNetwork {
  readonly family: 4 | 6;
  readonly first: bigint;
  readonly last: bigint;
  readonly size: bigint;
  /** The text it was parsed from. */
  readonly text: string;
}

/** Parses an IPv4/IPv6 address to BigInt; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes IPv4. */
export function parseAddress(text: string): { family: 4 | 6; value: bigint } | undefined {
  const t = text.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(t);
  if (mapped) return parseAddress(mapped[1]!);
  const kind = isIP(t);
  if (kind === 4) {
    return { family: 4, value: t.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n) };
  }
  if (kind === 6) return { family: 6, value: parseIpv6(t) };
  return undefined;
}

function parseIpv6(t: string): bigint {
  let s = t.split('%')[0]!;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = Number(parseAddress(v4[1]!)!.value);
    s = s.slice(0, -v4[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const tl = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - tl.length).fill('0'), ...tl];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function bits(family: 4 | 6): bigint {
  return family === 4 ? 32n : 128n;
}

function prefixNetwork(family: 4 | 6, addr: bigint, prefix: number, text: string): IpNetwork | undefined {
  const total = bits(family);
  if (!Number.isInteger(prefix) || prefix < 0 || BigInt(prefix) > total) return undefined;
  const hostBits = total - BigInt(prefix);
  const size = 1n << hostBits;
  const first = (addr >> hostBits) << hostBits;
  return { family, first, last: first + size - 1n, size, text };
}

function netmaskPrefix(mask: bigint): number | undefined {
  // A netmask must be contiguous ones followed by zeros.
  const inv = ~mask & 0xffffffffn;
  if ((inv & (inv + 1n)) !== 0n) return undefined;
  return 32 - inv.toString(2).replace(/^0+/, '').length;
}

/** Parses a `radius_ip_N` value; undefined when it is none of the accepted forms. */
export function parseNetwork(text: string): IpNetwork | undefined {
  const t = text.trim();
  if (t.includes('/')) {
    const [a, m] = t.split('/') as [string, string];
    const addr = parseAddress(a);
    if (!addr) return undefined;
    if (/^\d+$/.test(m.trim())) return prefixNetwork(addr.family, addr.value, Number(m.trim()), t);
    const mask = parseAddress(m);
    if (!mask || mask.family !== 4 || addr.family !== 4) return undefined;
    const p = netmaskPrefix(mask.value);
    return p === undefined ? undefined : prefixNetwork(4, addr.value, p, t);
  }
  const range = /^(.+?)\s*-\s*(.+)$/.exec(t);
  if (range && !isIP(t)) {
    const a = parseAddress(range[1]!);
    const b = parseAddress(range[2]!);
    if (!a || !b || a.family !== b.family || b.value < a.value) return undefined;
    return { family: a.family, first: a.value, last: b.value, size: b.value - a.value + 1n, text: t };
  }
  const addr = parseAddress(t);
  return addr ? { family: addr.family, first: addr.value, last: addr.value, size: 1n, text: t } : undefined;
}

/** True when `address` (text) lies in `net`. */
export function networkContains(net: IpNetwork, address: { family: 4 | 6; value: bigint }): boolean {
  return net.family === address.family && address.value >= net.first && address.value <= net.last;
}
