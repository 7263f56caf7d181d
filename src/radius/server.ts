/**
 * The RADIUS listener (spec §5.3): one UDP socket per (interface, port), dispatching each datagram
 * to the server section owning the most specific matching client network, validating it, absorbing
 * retransmissions, calling the section's handler once per login and sending the reply.
 * Protocol only: it knows nothing of users, LDAP or Duo.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { setMaxListeners } from 'node:events';
import { isIPv6 } from 'node:net';
import type { Logger } from '../log/logger.js';
import { LOG_INTERVAL_MS, LogLimiter } from '../log/log-limiter.js';
import { unmapIpv4 } from '../util/ip.js';
import { AuthproxyError } from '../errors.js';
import { ClientTable, type ClientEntry, type ClientEntryInput } from './client-table.js';
import { Attr, firstValue } from './dictionary.js';
import { DuplicateCache, type DuplicateEntry } from './duplicates.js';
import { dumpPacket } from './dump.js';
import { isMalformed, parsePacket, type ParsedPacket } from './packet.js';
import { encodeReply, replyAttributes } from './reply.js';
import { buildRequest, checkMessageAuthenticator, decodeUserPassword, proxyStatesOf, pyAddress, requestLabel, type RequestPolicy } from './request.js';
import { Code, REPLY_CODE_NAMES, type Outcome, type RadiusHandler, type RadiusRequest } from './types.js';
import { ServerStats } from './stats.js';

/** One server section on this socket. */
export interface ServerSectionOptions extends RequestPolicy {
  /** Lower-cased section name (e.g. `radius_server_auto2`). */
  readonly name: string;
  readonly clients: readonly ClientEntryInput[];
  readonly handler: RadiusHandler;
  /** Called when a password does not decode with the client's secret (for auth events). */
  readonly onUndecodablePassword?: (request: RadiusRequest) => void;
  /** Per-NAS admission control (src/guard: `nas_rate_limit`, `nas_max_pending`); absent = none. */
  readonly admission?: NasAdmission;
}

/** Admission of new Access-Requests per NAS address (rate and concurrency caps). */
export interface NasAdmission {
  /** Admits a new request from `nas`, or returns the reason to drop it (counted, not logged here). */
  admit(nas: string): string | undefined;
  /** Called once when an admitted request has finished. */
  release(nas: string): void;
}

/** Listener options. */
export interface RadiusServerOptions {
  /** Bind address; '' = all IPv4 addresses (Duo's default), '::' = all IPv6 (and IPv4-mapped). */
  readonly address: string;
  readonly port: number;
  readonly sections: readonly ServerSectionOptions[];
  readonly log: Logger;
  /** How long answered requests are remembered for retransmissions (spec §5.3.1: 30 s). */
  readonly duplicateTtlMs?: number;
  readonly now?: () => number;
}

const DEFAULT_DUPLICATE_TTL_MS = 30_000;
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/** A running RADIUS listener. */
export class RadiusServer {
  /** Counters for metrics and tests. */
  readonly stats = new ServerStats();
  private table = new ClientTable<ServerSectionOptions>();
  private readonly duplicates: DuplicateCache;
  private readonly log: Logger;
  private readonly dropLog: LogLimiter;
  private readonly abort = new AbortController();
  private readonly inflight = new Set<Promise<void>>();
  /** Replies handed to the socket but not yet sent: close() waits for them (a dgram close drops them). */
  private sending = 0;
  private onSent: (() => void) | undefined;
  private socket: Socket | undefined;
  /** A udp6 socket: IPv4 peers are addressed as `::ffff:a.b.c.d` (known at bind; no getsockname per reply). */
  private dualStack = false;
  private closing = false;

  constructor(private readonly options: RadiusServerOptions) {
    for (const s of options.sections) this.table.addSection(s, s.clients);
    this.duplicates = new DuplicateCache(options.duplicateTtlMs ?? DEFAULT_DUPLICATE_TTL_MS, options.now);
    this.log = options.log.child('DuoForwardServer (UDP)');
    this.dropLog = new LogLimiter(this.log, { now: options.now ?? Date.now }, LOG_INTERVAL_MS, 'info');
    // Every login in flight listens on this one signal (Duo calls, LDAP, back-off waits):
    // hundreds of pending pushes are normal, not a listener leak.
    setMaxListeners(0, this.abort.signal);
  }

  /**
   * Swaps the sections served by this socket (reload): new requests go to `sections` at once;
   * requests already in flight finish on the handlers they started with, and their retransmissions
   * are still absorbed by the duplicate cache. Resolves when those in-flight requests are done.
   */
  reconfigure(sections: readonly ServerSectionOptions[]): Promise<void> {
    const table = new ClientTable<ServerSectionOptions>();
    for (const s of sections) table.addSection(s, s.clients);
    this.table = table;
    return Promise.allSettled([...this.inflight]).then(() => undefined);
  }

  /** Binds the socket; resolves with the bound address once datagrams can arrive. */
  async start(): Promise<{ address: string; port: number }> {
    const host = this.options.address === '' ? '0.0.0.0' : this.options.address;
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false });
    this.socket = socket;
    this.dualStack = isIPv6(host);
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
    socket.on('error', (err) => this.log.error(`socket error on ${host}:${this.options.port}`, err));
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => {
        this.socket = undefined;
        socket.close();
        reject(new AuthproxyError('AP_ERR_RADIUS_BIND', `cannot listen on ${host}:${this.options.port} (UDP): ${err.message}`, { cause: err }));
      };
      socket.once('error', fail);
      socket.bind({ address: host, port: this.options.port, exclusive: true }, () => {
        socket.off('error', fail);
        resolve();
      });
    });
    try {
      socket.setRecvBufferSize(SOCKET_BUFFER_BYTES);
      socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
    } catch {
      // The kernel caps buffer sizes (net.core.rmem_max); the default still works.
    }
    const a = socket.address();
    return { address: a.address, port: a.port };
  }

  /** The bound address (after start). */
  get address(): { address: string; port: number } | undefined {
    if (!this.socket) return undefined;
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  /** Requests currently being processed. */
  get inflightCount(): number {
    return this.inflight.size;
  }

  /**
   * Stops receiving, lets in-flight logins finish for up to `graceMs` (their replies are still
   * sent), then aborts the rest (they get no reply) and closes the socket. Safe to call twice.
   */
  async close(graceMs = 0): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (graceMs > 0 && this.inflight.size > 0) {
      await Promise.race([Promise.allSettled([...this.inflight]), new Promise((r) => setTimeout(r, graceMs).unref())]);
    }
    this.abort.abort();
    await Promise.allSettled([...this.inflight]);
    if (this.sending > 0) await new Promise<void>((resolve) => (this.onSent = resolve));
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((r) => socket.close(() => r()));
    this.duplicates.clear();
  }

  /** Counts every drop; logs the first per (source, reason) at once, then at most every 10 s. */
  private drop(rinfo: RemoteInfo, reason: string): void {
    const label = this.stats.drop(reason);
    this.dropLog.note(`${rinfo.address}|${label}`, `dropping packet from ${rinfo.address}:${rinfo.port} - ${reason}`);
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    this.stats.received++;
    if (this.closing) return;
    const source = { address: unmapIpv4(rinfo.address), port: rinfo.port };
    const client = this.table.lookup(source.address);
    if (!client) return this.drop(rinfo, `Unknown Client: ${source.address}`);
    if (this.log.debugEnabled) this.log.debug(`Packet dump - received from ${source.address}:\n0x${msg.toString('hex').replace(/^(.{40})/, '$1 ')}`);
    this.log.info(`Sending request from ${source.address} to ${client.section.name}`);
    const packet = parsePacket(msg);
    if (isMalformed(packet)) return this.drop(rinfo, packet.reason);
    if (this.log.debugEnabled) this.log.debug(dumpPacket(packet.code, packet.identifier, packet.attributes));
    if (packet.code === Code.StatusServer) return this.statusServer(msg, packet, rinfo, client);
    if (packet.code !== Code.AccessRequest) return this.drop(rinfo, 'non-AccessRequest packet received');
    const bad = checkMessageAuthenticator(msg, packet, client.secret, client.section, source.address);
    if (bad) return this.drop(rinfo, bad);
    this.dispatch(msg, packet, source, client);
  }

  private dispatch(msg: Buffer, packet: ParsedPacket, source: { address: string; port: number }, client: ClientEntry<ServerSectionOptions>): void {
    const key = `${source.address}|${source.port}|${packet.identifier}`;
    const verdict = this.duplicates.check(key, {
      authenticator: packet.authenticator,
      userName: firstValue(packet.attributes, Attr.UserName),
      userPassword: firstValue(packet.attributes, Attr.UserPassword),
    });
    if (verdict.kind !== 'new') {
      this.stats.duplicates++;
      this.log.info('Received duplicate request');
      if (verdict.kind === 'answered' && verdict.reply) this.send(verdict.reply, source);
      return;
    }
    const section = client.section;
    // Excess requests are dropped, not rejected: the NAS retransmits, so the entry is forgotten
    // for the retry to count as new. The admission logs its own (rate-limited) line.
    const refused = section.admission?.admit(source.address);
    if (refused !== undefined) {
      this.duplicates.forget(key, verdict.entry);
      this.stats.drop(refused);
      return;
    }
    this.log.info(`Received new request id ${packet.identifier} from ${pyAddress(source)}`);
    const password = decodeUserPassword(packet, client.secret, section.pwCodec);
    const request = buildRequest(msg, packet, source, section.name, { network: client.network, secret: client.secret }, password);
    const work = this.process(request, section, key, verdict.entry).finally(() => {
      this.inflight.delete(work);
      section.admission?.release(source.address);
    });
    this.inflight.add(work);
  }

  private async process(request: RadiusRequest, section: ServerSectionOptions, key: string, entry: DuplicateEntry): Promise<void> {
    const label = requestLabel(request.source, request.userName, request.identifier);
    let outcome: Outcome;
    try {
      outcome = await this.decide(request, section, label);
    } catch (err) {
      this.duplicates.forget(key, entry);
      this.stats.errors++;
      this.log.error(`unhandled error processing request from ${request.source.address}:${request.source.port}`, err);
      return;
    }
    if (outcome.kind === 'drop' || this.abort.signal.aborted) {
      this.duplicates.answered(key, entry, null);
      this.stats.drop(outcome.kind === 'drop' ? outcome.reason : 'shutting down');
      this.log.info(`${label}: not answering: ${outcome.kind === 'drop' ? outcome.reason : 'shutting down'}`);
      return;
    }
    const reply = this.encode(request, outcome, label);
    if (!reply) return this.duplicates.forget(key, entry);
    this.duplicates.answered(key, entry, reply);
    this.log.info(`${label}: Sending response`);
    this.send(reply, request.source);
  }

  private async decide(request: RadiusRequest, section: ServerSectionOptions, label: string): Promise<Outcome> {
    if (request.password.state === 'undecodable') {
      this.log.info(
        `${label}: Cannot decode password using the configured radius_secret. Please ensure the client and Authentication Proxy use the same shared secret.`,
      );
      section.onUndecodablePassword?.(request);
      return { kind: 'reject', replyMessage: 'Cannot decode password' };
    }
    return section.handler.handle(request, this.abort.signal);
  }

  private encode(request: RadiusRequest, outcome: Exclude<Outcome, { kind: 'drop' }>, label: string): Buffer | undefined {
    const code = outcome.kind === 'accept' ? Code.AccessAccept : outcome.kind === 'reject' ? Code.AccessReject : Code.AccessChallenge;
    const attrs = replyAttributes(outcome.attributes ?? [], outcome.replyMessage);
    if (outcome.kind === 'challenge') attrs.push({ type: Attr.State, value: outcome.state });
    try {
      const reply = encodeReply({
        code,
        identifier: request.identifier,
        requestAuthenticator: request.authenticator,
        secret: request.client.secret,
        attributes: attrs,
        proxyStates: proxyStatesOf(request.attributes),
      });
      this.stats.replied(code);
      this.log.info(`${label}: Returning response code ${code}: ${REPLY_CODE_NAMES[code]}`);
      return reply;
    } catch (err) {
      this.stats.errors++;
      this.log.error(`unhandled error processing request from ${request.source.address}:${request.source.port}`, err);
      return undefined;
    }
  }

  /** RFC 5997 §3: answer Status-Server from a known client with a valid Message-Authenticator. */
  private statusServer(msg: Buffer, packet: ParsedPacket, rinfo: RemoteInfo, client: ClientEntry<ServerSectionOptions>): void {
    // RFC 5997 §3: "Status-Server packets ... MUST include a Message-Authenticator"; else discard.
    if (packet.messageAuthenticatorOffset < 0) return this.drop(rinfo, 'Status-Server without Message-Authenticator');
    const bad = checkMessageAuthenticator(msg, packet, client.secret, client.section, unmapIpv4(rinfo.address));
    if (bad) return this.drop(rinfo, bad);
    this.stats.statusServer++;
    const { identifier, authenticator: requestAuthenticator } = packet;
    const proxyStates = proxyStatesOf(packet.attributes);
    const reply = encodeReply({ code: Code.AccessAccept, identifier, requestAuthenticator, secret: client.secret, attributes: [], proxyStates });
    this.send(reply, { address: rinfo.address, port: rinfo.port });
  }

  private send(reply: Buffer, to: { address: string; port: number }): void {
    const socket = this.socket;
    if (!socket) return;
    const address = this.dualStack && !isIPv6(to.address) ? `::ffff:${to.address}` : to.address;
    this.sending++;
    socket.send(reply, to.port, address, (err) => {
      if (err) this.log.error(`could not send reply to ${to.address}:${to.port}`, err);
      if (--this.sending === 0) this.onSent?.();
    });
  }
}
