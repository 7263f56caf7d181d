/**
 * A scriptable upstream RADIUS server for client tests: a real UDP socket on 127.0.0.1 that
 * records every datagram (bytes, time) and answers through a test-supplied responder — or stays
 * silent, which is how a dead upstream looks. Replies are signed by {@link signedReply}, which can
 * also produce the wrong things on purpose (no Message-Authenticator, bad authenticators).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { computeMessageAuthenticator, computeResponseAuthenticator } from '../../src/radius/authenticator.js';
import { Attr } from '../../src/radius/dictionary.js';
import type { RadiusAttribute } from '../../src/radius/types.js';

/** One datagram the fake received. */
export interface Received {
  readonly data: Buffer;
  readonly at: number;
  readonly from: RemoteInfo;
}

/** Answers a received request: datagrams to send back from this socket (or none). */
export type Responder = (request: Buffer, fake: FakeUpstream, from: RemoteInfo) => Buffer[] | undefined;

/** A UDP socket playing an upstream RADIUS server. */
export class FakeUpstream {
  readonly received: Received[] = [];
  responder: Responder | undefined;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.on('message', (data, from) => {
      this.received.push({ data, at: performance.now(), from });
      for (const reply of this.responder?.(data, this, from) ?? []) socket.send(reply, from.port, from.address);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Binds a fake on 127.0.0.1 (ephemeral port). */
  static async open(responder?: Responder): Promise<FakeUpstream> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    // Bursts of hundreds of requests must not overflow the default ~200 KB receive buffer
    // (the kernel caps this at net.core.rmem_max).
    socket.setRecvBufferSize(4 * 1024 * 1024);
    const fake = new FakeUpstream(socket);
    fake.responder = responder;
    return fake;
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** As a `{host, port}` entry for upstream options. */
  get address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  /** Sends raw bytes from this socket. */
  send(data: Buffer, to: { address: string; port: number }): void {
    this.socket.send(data, to.port, to.address);
  }

  /** Resolves once `count` datagrams have been received in total. */
  async waitFor(count: number, timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > until) throw new Error(`fake upstream got ${this.received.length} of ${count} datagrams`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

/** How {@link signedReply} builds a reply. */
export interface ReplyOptions {
  readonly code: number;
  readonly attributes?: readonly RadiusAttribute[];
  readonly secret: Buffer;
  /** Put a Message-Authenticator first (default true). */
  readonly messageAuthenticator?: boolean;
  /** Corrupt the Response Authenticator. */
  readonly badResponseAuthenticator?: boolean;
  /** Corrupt the Message-Authenticator. */
  readonly badMessageAuthenticator?: boolean;
  /** Override the Identifier. */
  readonly identifier?: number;
}

/**
 * A reply to `request`, signed as RFC 2865 §3 / RFC 3579 §3.2 prescribe (Message-Authenticator
 * computed with the request authenticator in the header, then the Response Authenticator).
 */
export function signedReply(request: Buffer, o: ReplyOptions): Buffer {
  const withMa = o.messageAuthenticator ?? true;
  const attrs: RadiusAttribute[] = withMa ? [{ type: Attr.MessageAuthenticator, value: Buffer.alloc(16) }, ...(o.attributes ?? [])] : [...(o.attributes ?? [])];
  const body = Buffer.concat(attrs.map((a) => Buffer.concat([Buffer.from([a.type, a.value.length + 2]), a.value])));
  const packet = Buffer.concat([Buffer.from([o.code, o.identifier ?? request[1]!, 0, 0]), request.subarray(4, 20), body]);
  packet.writeUInt16BE(packet.length, 2);
  if (withMa) {
    const ma = computeMessageAuthenticator(packet, 22, o.secret);
    if (o.badMessageAuthenticator) ma[0] = ma[0]! ^ 0xff;
    ma.copy(packet, 22);
  }
  const ra = computeResponseAuthenticator(packet, request.subarray(4, 20), o.secret);
  if (o.badResponseAuthenticator) ra[0] = ra[0]! ^ 0xff;
  ra.copy(packet, 4);
  return packet;
}
