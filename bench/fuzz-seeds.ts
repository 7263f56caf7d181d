/**
 * Seed inputs for the fuzzers: the byte vectors of test/vectors/radius/*.json (RFC 2865 §7
 * examples and the malformed cases), hand-built Access-Requests covering every path of the
 * server (PAP, CHAP, MS-CHAP, EAP, State, Proxy-State, Status-Server, other codes), and the
 * config fixtures test/fixtures/conf/*.cfg plus conf/examples/*.cfg.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeAccessRequest, textAttribute } from '../src/radius/access-request.js';
import { Attr, resolveAttribute, vendorAttribute } from '../src/radius/dictionary.js';
import type { RadiusAttribute } from '../src/radius/types.js';

/** The shared secret of the RFC 2865 §7 vectors; the fuzz targets use it throughout. */
export const FUZZ_SECRET = 'xyzzy5461';

/** The repository root (the directory holding package.json), from bench/ or dist/bench/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'test', 'vectors'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (package.json with test/vectors)');
    dir = up;
  }
  return dir;
}

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Every hex string found in a vectors JSON value (fields named hex/request/response/packet). */
function hexStrings(v: unknown, out: Buffer[]): void {
  if (Array.isArray(v)) for (const x of v) hexStrings(x, out);
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const [k, x] of Object.entries(o)) {
      if (typeof x === 'string' && ['hex', 'request', 'response', 'packet'].includes(k)) {
        const b = hex(x);
        out.push(typeof o['truncate'] === 'number' ? b.subarray(0, o['truncate']) : b);
      } else hexStrings(x, out);
    }
  }
}

function vsa(name: string, value: Buffer): RadiusAttribute {
  const ref = resolveAttribute(name)!;
  return vendorAttribute(ref.vendorId!, ref.vendorType!, value);
}

/** Access-Requests (and friends) built with our encoder, signed with {@link FUZZ_SECRET}. */
export function builtPackets(): Buffer[] {
  const secret = Buffer.from(FUZZ_SECRET);
  const user = textAttribute(Attr.UserName, 'alice');
  const mk = (attributes: RadiusAttribute[], extra: { password?: string; code?: number; ma?: boolean } = {}): Buffer =>
    encodeAccessRequest({
      identifier: 7, secret, attributes, code: extra.code ?? 1, messageAuthenticator: extra.ma ?? true,
      ...(extra.password === undefined ? {} : { password: Buffer.from(extra.password, 'utf8') }),
    });
  return [
    mk([user], { password: 'alicepw' }),
    mk([user], { password: 'alicepw,push', ma: false }),
    mk([user, textAttribute(Attr.CallingStationId, '203.0.113.9'), { type: Attr.ProxyState, value: Buffer.from('ps1') }], { password: 'p,123456' }),
    mk([user, { type: Attr.State, value: Buffer.alloc(33, 7) }], { password: '123456' }),
    mk([user, { type: Attr.ChapPassword, value: Buffer.alloc(17, 1) }]),
    mk([user, vsa('MS-CHAP-Challenge', Buffer.alloc(16, 2)), vsa('MS-CHAP2-Response', Buffer.alloc(50, 3))]),
    mk([user, { type: Attr.EapMessage, value: Buffer.from('0201000a01616c696365', 'hex') }]),
    mk([user], { password: 'é'.repeat(60) }),
    mk([], { code: 12 }),
    mk([user, textAttribute(Attr.ReplyMessage, 'x'.repeat(253))], { password: 'a' }),
  ];
}

/** Datagram seeds: the vector files plus {@link builtPackets}. */
export function packetSeeds(root = repoRoot()): Buffer[] {
  const dir = join(root, 'test', 'vectors', 'radius');
  const out: Buffer[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    hexStrings(JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown, out);
  }
  return [...out, ...builtPackets()];
}

/** Config text seeds: the fixtures and the shipped examples. */
export function configSeeds(root = repoRoot()): string[] {
  const out: string[] = [];
  for (const dir of [join(root, 'test', 'fixtures', 'conf'), join(root, 'conf', 'examples')]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.cfg')).sort()) out.push(readFileSync(join(dir, f), 'utf8'));
  }
  return out;
}
