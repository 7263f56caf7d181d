/**
 * The UDP side of `npm run fuzz`: mutated datagrams from several sockets — the known NAS address
 * (re-signed with the right secret, signed with a wrong one, or raw) and unknown addresses —
 * paced by the proxy's own receive counter so the kernel buffer is not what drops them, plus a
 * prober that keeps sending valid logins the way a NAS does (retransmitting) and counts any
 * that never get a valid answer.
 */
import { createSocket, type Socket } from 'node:dgram';
import { checkReply } from '../src/radius/access-request.js';
import { computeMessageAuthenticator } from '../src/radius/authenticator.js';
import { Attr } from '../src/radius/dictionary.js';
import { isMalformed, parsePacket } from '../src/radius/packet.js';
import { encryptUserPassword } from '../src/radius/password.js';
import { papRequest } from '../test/support/udp-client.js';
import type { ProxyChild } from './fuzz-proxy-host.js';
import { fixLength, mutatePacket } from './fuzz-mutate.js';
import type { Rng } from './fuzz-rng.js';

/** Opens a UDP socket bound to `address` (ephemeral port) that ignores what it receives. */
export async function floodSocket(address: string): Promise<Socket> {
  const s = createSocket('udp4');
  s.on('message', () => undefined);
  s.on('error', () => undefined);
  await new Promise<void>((r) => s.bind(0, address, () => r()));
  return s;
}

/** Signs a parsed datagram's Message-Authenticator (adding one first if asked) with `secret`. */
export function signWith(p: Buffer, secret: Buffer, addIfMissing: boolean): Buffer {
  let out = p;
  let parsed = parsePacket(out);
  if (isMalformed(parsed)) return out;
  if (parsed.messageAuthenticatorOffset < 0 && addIfMissing) {
    out = fixLength(Buffer.concat([out.subarray(0, 20), Buffer.from([Attr.MessageAuthenticator, 18]), Buffer.alloc(16), out.subarray(20)]));
    parsed = parsePacket(out);
    if (isMalformed(parsed)) return p;
  }
  if (parsed.messageAuthenticatorOffset >= 0) computeMessageAuthenticator(out, parsed.messageAuthenticatorOffset, secret).copy(out, parsed.messageAuthenticatorOffset);
  return out;
}

/** Replaces the User-Password value with `plain` hidden under `secret` (keeps everything else). */
export function withPassword(p: Buffer, secret: Buffer, plain: string): Buffer {
  const parsed = parsePacket(p);
  if (isMalformed(parsed)) return p;
  const parts = [p.subarray(0, 20)];
  for (const a of parsed.attributes) {
    const value = a.type === Attr.UserPassword ? encryptUserPassword(Buffer.from(plain, 'utf8').subarray(0, 128), secret, parsed.authenticator) : a.value;
    parts.push(Buffer.from([a.type, value.length + 2]), value);
  }
  return fixLength(Buffer.concat(parts));
}

/** Sockets of the flood. */
export interface FloodSockets {
  readonly known: Socket[];
  readonly unknown: Socket[];
}

/** Makes one flood datagram and the socket to send it from. */
export function nextDatagram(corpus: readonly Buffer[], rng: Rng, socks: FloodSockets, secret: Buffer): { data: Buffer; socket: Socket; kind: string } {
  const base = mutatePacket(rng.pick(corpus), corpus, rng);
  const roll = rng.int(100);
  if (roll < 15) return { data: base, socket: rng.pick(socks.unknown), kind: 'unknown-client' };
  if (roll < 30) return { data: signWith(fixLength(base), Buffer.from('wrong-secret'), true), socket: rng.pick(socks.known), kind: 'wrong-secret' };
  if (roll < 50) {
    const pw = rng.chance(0.5) ? withPassword(fixLength(base), secret, rng.pick(['push', 'x,push', '123456', '', 'é'.repeat(70)])) : fixLength(base);
    return { data: signWith(pw, secret, rng.chance(0.5)), socket: rng.pick(socks.known), kind: 'valid-secret' };
  }
  return { data: base, socket: rng.pick(socks.known), kind: 'raw' };
}

/** Outcome counts of the prober. */
export interface ProbeCounts {
  sent: number;
  accepted: number;
  /** Answered, but not with a valid Access-Accept. */
  wrong: number;
  /** No valid answer after every retransmission. */
  lost: number;
}

/** A NAS sending valid logins and retransmitting like one (same packet, `tries` × `timeoutMs`). */
export class Prober {
  readonly counts: ProbeCounts = { sent: 0, accepted: 0, wrong: 0, lost: 0 };
  private id = 0;
  private readonly pending = new Map<number, (b: Buffer) => void>();

  private constructor(private readonly socket: Socket, private readonly port: number, private readonly secret: string) {
    socket.on('message', (m) => this.pending.get(m[1]!)?.(m));
  }

  static async open(port: number, secret: string): Promise<Prober> {
    return new Prober(await floodSocket('127.0.0.1'), port, secret);
  }

  /** One login; resolves with its latency (ms) or undefined when lost/wrong. */
  async login(user: string, password: string, tries = 5, timeoutMs = 2000): Promise<number | undefined> {
    const identifier = this.id++ % 256;
    const req = papRequest({ user, password, secret: this.secret, identifier });
    this.counts.sent++;
    const started = performance.now();
    for (let t = 0; t < tries; t++) {
      this.socket.send(req, this.port, '127.0.0.1');
      const reply = await new Promise<Buffer | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), timeoutMs);
        this.pending.set(identifier, (b) => {
          clearTimeout(timer);
          resolve(b);
        });
      });
      this.pending.delete(identifier);
      if (!reply) continue;
      const check = checkReply(reply, { identifier, authenticator: req.subarray(4, 20) }, Buffer.from(this.secret), true);
      if (check.ok && check.packet.code === 2) {
        this.counts.accepted++;
        return performance.now() - started;
      }
      this.counts.wrong++;
      return undefined;
    }
    this.counts.lost++;
    return undefined;
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

/** Flood settings. */
export interface FloodOptions {
  readonly child: ProxyChild;
  readonly corpus: readonly Buffer[];
  readonly rng: Rng;
  readonly secret: Buffer;
  readonly datagrams: number;
  readonly deadline: number;
  /** Called after each burst (e.g. to sample memory). */
  readonly onBurst?: (sent: number) => void | Promise<void>;
}

/** Sends the flood; returns datagrams sent per kind. */
export async function flood(o: FloodOptions): Promise<{ sent: number; byKind: Record<string, number> }> {
  const socks: FloodSockets = {
    known: await Promise.all([1, 2, 3, 4].map(() => floodSocket('127.0.0.1'))),
    unknown: await Promise.all(['127.0.0.2', '127.0.0.3'].map(floodSocket)),
  };
  const byKind: Record<string, number> = {};
  let sent = 0;
  const base = (await o.child.stats()).received;
  while (sent < o.datagrams && Date.now() < o.deadline && !o.child.crashed) {
    for (let i = 0; i < 256 && sent < o.datagrams; i++, sent++) {
      const d = nextDatagram(o.corpus, o.rng, socks, o.secret);
      byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
      d.socket.send(d.data, o.child.port, '127.0.0.1');
    }
    await o.onBurst?.(sent);
    await pace(o.child, () => base + sent);
  }
  await Promise.all([...socks.known, ...socks.unknown].map((s) => new Promise<void>((r) => s.close(() => r()))));
  return { sent, byKind };
}

/** Waits while the proxy is more than 1500 datagrams behind or 2000 logins are pending (max 1 s). */
async function pace(child: ProxyChild, target: () => number): Promise<void> {
  const until = Date.now() + 1000;
  for (;;) {
    const s = await child.stats();
    if ((target() - s.received < 1500 && s.inflight < 2000) || Date.now() > until || child.crashed) return;
    await new Promise((r) => setTimeout(r, 2));
  }
}
