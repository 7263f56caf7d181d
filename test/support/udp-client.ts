/**
 * A tiny RADIUS NAS for tests: sends datagrams from one UDP socket on 127.0.0.1 and collects
 * the replies, so tests can assert on exact bytes, retransmissions and silence.
 */
import { createSocket, type Socket } from 'node:dgram';
import { Attr } from '../../src/radius/dictionary.js';
import { encodeAccessRequest, textAttribute } from '../../src/radius/access-request.js';
import type { RadiusAttribute } from '../../src/radius/types.js';

/** A NAS socket with a reply queue. */
export class TestNas {
  readonly replies: Buffer[] = [];
  private waiters: Array<(b: Buffer) => void> = [];
  private constructor(private readonly socket: Socket) {
    socket.on('message', (msg) => {
      const w = this.waiters.shift();
      if (w) w(msg);
      else this.replies.push(msg);
    });
  }

  /** Opens a NAS socket bound to `address` (default 127.0.0.1, ephemeral port). */
  static async open(address = '127.0.0.1'): Promise<TestNas> {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((r) => socket.bind(0, address, () => r()));
    return new TestNas(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Sends raw bytes to the server. */
  send(data: Buffer, port: number, address = '127.0.0.1'): void {
    this.socket.send(data, port, address);
  }

  /** The next reply, or undefined after `timeoutMs` of silence. */
  next(timeoutMs = 1000): Promise<Buffer | undefined> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const w = (b: Buffer): void => {
        clearTimeout(t);
        resolve(b);
      };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

/** Builds a PAP Access-Request for tests. */
export function papRequest(opts: {
  user?: string;
  password?: string | Buffer;
  secret: string;
  identifier?: number;
  authenticator?: Buffer;
  extra?: RadiusAttribute[];
  messageAuthenticator?: boolean;
}): Buffer {
  const attrs: RadiusAttribute[] = [];
  if (opts.user !== undefined) attrs.push(textAttribute(Attr.UserName, opts.user));
  attrs.push(...(opts.extra ?? []));
  const pw = opts.password === undefined ? undefined : Buffer.isBuffer(opts.password) ? opts.password : Buffer.from(opts.password, 'utf8');
  return encodeAccessRequest({
    identifier: opts.identifier ?? 1,
    secret: Buffer.from(opts.secret),
    attributes: attrs,
    password: pw,
    authenticator: opts.authenticator,
    messageAuthenticator: opts.messageAuthenticator ?? true,
  });
}
