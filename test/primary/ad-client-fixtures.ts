/**
 * Shared pieces of the `[ad_client]` tests: login requests, a memory logger per client, and
 * hostile TCP peers (a server that accepts and never answers; a proxy that can turn its
 * connections into ones that reset on first use, like a restarted server behind a pooled socket).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { memoryLogger, type MemorySink } from '../../src/log/logger.js';
import type { PrimaryRequest } from '../../src/primary/types.js';
import type { RadiusRequest } from '../../src/radius/types.js';
import type { AdClientOptions } from '../../src/primary/ad-client.js';
import { AdClient } from '../../src/primary/ad-client.js';

/** A signal that never aborts. */
export const NEVER = new AbortController().signal;

/** AdClient options for the harness slapd: the rootdn as service account (a DN), users by `uid`. */
export function slapdOptions(
  slapd: { port: number; adminDn: string; adminPw: string; baseDn: string },
  over: Partial<Omit<AdClientOptions, 'log' | 'name'>> = {},
): Omit<AdClientOptions, 'log' | 'name'> {
  return {
    hosts: ['127.0.0.1'],
    port: slapd.port,
    serviceAccountUsername: slapd.adminDn,
    serviceAccountPassword: slapd.adminPw,
    searchDn: slapd.baseDn,
    usernameAttribute: 'uid',
    ...over,
  };
}

/** A PrimaryRequest for `username`/`password` as the RADIUS server would pass it. */
export function login(username: string, password: string | undefined): PrimaryRequest {
  const request: RadiusRequest = {
    raw: Buffer.alloc(20),
    code: 1,
    identifier: 1,
    authenticator: Buffer.alloc(16),
    attributes: [],
    source: { address: '127.0.0.1', port: 50000 },
    section: 'radius_server_auto',
    client: { network: '127.0.0.1', secret: Buffer.from('secret') },
    hasMessageAuthenticator: false,
    password: password === undefined ? { state: 'absent' } : { state: 'ok', value: password },
    userName: username,
  };
  return { username, password, request, passThrough: [], clientIp: undefined };
}

/** Every memory sink created by {@link makeClient}, so a test can check no secret was ever logged. */
export const allSinks: MemorySink[] = [];

/** An AdClient writing to its own memory log; `texts()` returns the log lines without prefixes. */
export function makeClient(opts: Omit<AdClientOptions, 'log' | 'name'>): { client: AdClient; texts: () => string[] } {
  const { log, sink } = memoryLogger();
  allSinks.push(sink);
  const client = new AdClient({ name: 'ad_client', log, ...opts });
  return { client, texts: () => sink.texts() };
}

/** A TCP server that accepts connections and never sends a byte. */
export interface SilentServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** Starts a {@link SilentServer} on `host:port` (port 0 = any free port). */
export async function startSilentServer(host: string, port = 0): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((s) => {
    accepted += 1;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  const bound = await listen(server, host, port);
  return {
    port: bound,
    get accepted() {
      return accepted;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A TCP proxy to an LDAP server whose existing connections can be "poisoned". */
export interface ResettingProxy {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** From now on, the next bytes a client sends on an existing connection get a TCP RST. */
  poison(): void;
  close(): Promise<void>;
}

/**
 * Starts a {@link ResettingProxy} on `host` forwarding to `target`. With `forwardFirst`, only that
 * many connections are forwarded; later ones are accepted and left silent.
 */
export async function startResettingProxy(
  host: string,
  target: { host: string; port: number },
  forwardFirst = Infinity,
): Promise<ResettingProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const silent = new Set<Socket>();
  let accepted = 0;
  const server = createServer((client) => {
    accepted += 1;
    if (accepted > forwardFirst) {
      silent.add(client.on('error', () => undefined));
      return;
    }
    const upstream = connect(target);
    const pair = { client, upstream };
    pairs.add(pair);
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await listen(server, host, 0);
  return {
    port,
    get accepted() {
      return accepted;
    },
    poison: () => {
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.on('data', () => client.resetAndDestroy());
        client.resume(); // unpipe() paused the stream; a 'data' listener alone does not restart it
      }
    },
    close: async () => {
      for (const s of silent) s.destroy();
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** The lines slapd logged after `before` (a previous `log().length`). */
export function logSince(log: string, before: number): string[] {
  return log.slice(before).split('\n');
}
