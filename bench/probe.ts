/**
 * Start-up probe: one NAS socket sends a fresh login every `intervalMs` until a valid answer
 * arrives, and reports when (epoch ms with sub-ms precision, comparable across processes).
 */
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { AuthenticatorSource, encodeLogin, isReplyTo, type Login } from './wire.js';

/** What to probe. */
export interface ProbeSpec {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
  readonly login: Login;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/** Epoch milliseconds, sub-millisecond precision. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves with the epoch time of the first valid answer; rejects after `timeoutMs`. */
export async function firstAnswer(spec: ProbeSpec): Promise<number> {
  const socket = createSocket('udp4');
  socket.on('error', () => undefined); // ICMP port unreachable until the server binds
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const secret = Buffer.from(spec.secret, 'utf8');
  const source = new AuthenticatorSource();
  const sent = new Map<number, Buffer>();
  let id = 0;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<number>((resolve, reject) => {
      socket.on('message', (msg) => {
        const auth = sent.get(msg[1] ?? -1);
        if (auth && isReplyTo(msg, msg[1]!, auth, secret)) resolve(epochMs());
      });
      const send = (): void => {
        id = (id + 1) % 256;
        const auth = Buffer.from(source.next());
        sent.set(id, auth);
        socket.send(encodeLogin(id, spec.login, { secret }, auth), spec.port, spec.host);
      };
      timer = setInterval(send, spec.intervalMs);
      send();
      setTimeout(() => reject(new Error(`no answer from ${spec.host}:${spec.port} within ${spec.timeoutMs} ms`)), spec.timeoutMs).unref();
    });
  } finally {
    clearInterval(timer);
    socket.close();
  }
}
