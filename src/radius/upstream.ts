/**
 * One upstream RADIUS client (a `[radius_client]` section's transport, spec §3.2): a UDP socket,
 * an Identifier pool shared by all its hosts, the send/retry/failover schedule and the checks a
 * reply must pass before it is believed. Protocol only: it knows nothing of users' passwords
 * beyond hiding them, nor of Duo.
 *
 * Schedule (spec §3.2 step 4): transmission 1 goes to hosts[0]; every `retryWaitMs` without a
 * valid answer the *identical* bytes go to the next host (wrapping), up to `retries + 1`
 * transmissions; when the last wait expires the exchange fails with `AP_ERR_RADIUS_TIMEOUT`.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';
import { AuthproxyError } from '../errors.js';
import { parseAddress, unmapIpv4 } from '../util/ip.js';
import { checkReply, encodeAccessRequest, encodeRelayedRequest } from './access-request.js';
import { proxyStatesOf, pyAddress } from './request.js';
import { Attr, firstValue } from './dictionary.js';
import { Lanes, type Lane } from './upstream-lanes.js';
import type { RadiusAttribute } from './types.js';
import type { ExchangeReply, ExchangeRequest, RelayRequest, UpstreamHost, UpstreamOptions } from './upstream-types.js';

export type { ExchangeReply, ExchangeRequest, RelayRequest, UpstreamHost, UpstreamOptions } from './upstream-types.js';

interface Pending {
  readonly lane: Lane<Pending>;
  readonly id: number;
  readonly packet: Buffer;
  readonly authenticator: Buffer;
  readonly proxyStates: readonly Buffer[];
  readonly user: string;
  transmissions: number;
  lastHost: UpstreamHost;
  timer: NodeJS.Timeout | undefined;
  readonly resolve: (reply: ExchangeReply) => void;
  readonly reject: (err: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

const DEFAULT_RETRIES = 3;
const DEFAULT_RETRY_WAIT_MS = 2000;

/** The transport of one `[radius_client]` section. Construct, `start()`, `exchange()`…, `close()`. */
export class UpstreamClient {
  private readonly lanes: Lanes<Pending>;
  private readonly hostKeys: Set<string>;
  /** `hostKey` parses through BigInt: its verdict per (address text, port) seen is kept here. */
  private readonly sourceVerdicts = new Map<string, boolean>();
  private readonly retries: number;
  private readonly retryWaitMs: number;
  private readonly dualStack: boolean;
  private closed = false;

  constructor(private readonly options: UpstreamOptions) {
    if (options.hosts.length === 0) throw invalid('radius_client needs at least one host');
    for (const h of options.hosts) {
      if (!isIPv4(h.host) && !isIPv6(h.host)) throw invalid(`radius_client host "${h.host}" is not an IP address`);
      if (!Number.isInteger(h.port) || h.port < 1 || h.port > 65535) throw invalid(`radius_client port ${h.port} is not a port number`);
    }
    this.retries = options.retries ?? DEFAULT_RETRIES;
    this.retryWaitMs = options.retryWaitMs ?? DEFAULT_RETRY_WAIT_MS;
    if (!Number.isInteger(this.retries) || this.retries < 0) throw invalid(`radius_client retries ${this.retries} must be a whole number >= 0`);
    if (!(this.retryWaitMs > 0)) throw invalid(`radius_client retry_wait must be positive`);
    this.hostKeys = new Set(options.hosts.map((h) => hostKey(h.host, h.port)));
    this.dualStack = options.hosts.some((h) => isIPv6(h.host));
    this.lanes = new Lanes((() => this.openSocket()), (lane, msg, rinfo) => this.receive(lane, msg, rinfo), options.maxSockets);
  }

  /** Binds the first source socket (any address, ephemeral port). */
  async start(): Promise<void> {
    if (!this.closed) await this.lanes.start();
  }

  private async openSocket(): Promise<Socket> {
    const socket = createSocket({ type: this.dualStack ? 'udp6' : 'udp4', ipv6Only: false });
    socket.on('error', (err) => this.options.log.error('upstream RADIUS socket error', err));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return socket;
  }

  /** The local UDP port of the first source socket (after start). */
  get localPort(): number | undefined {
    return this.lanes.all[0]?.socket.address().port;
  }

  /** Source sockets open. */
  get sockets(): number {
    return this.lanes.all.length;
  }

  /** Exchanges in flight (holding an Identifier). */
  get inFlight(): number {
    return this.lanes.inFlight;
  }

  /** Exchanges waiting for a free Identifier. */
  get waiting(): number {
    return this.lanes.waiting;
  }

  /**
   * Sends a new request and resolves with the first valid reply. Rejects with
   * `AP_ERR_RADIUS_TIMEOUT` after the last wait, `AP_ERR_RADIUS_BUSY` when no Identifier can be had,
   * `AP_ERR_RADIUS_CANCELLED` on abort or close, `AP_ERR_RADIUS_ENCODE` when the request cannot be built.
   */
  async exchange(request: ExchangeRequest, signal?: AbortSignal): Promise<ExchangeReply> {
    const secret = this.options.secret;
    const encode = (id: number): Buffer =>
      encodeAccessRequest({ identifier: id, secret, attributes: request.attributes, password: request.password, code: request.code ?? 1 });
    return this.send(encode, request.attributes, signal);
  }

  /**
   * Proxies a whole NAS Access-Request (spec §3.3): a new Identifier from this client's pool, the
   * NAS's Request Authenticator and attributes unchanged, Message-Authenticator recomputed with the
   * upstream secret (added first if the NAS sent none: RFC 3579 §3.3 makes it mandatory with
   * EAP-Message). Same schedule, checks and errors as {@link exchange}.
   */
  async relay(request: RelayRequest, signal?: AbortSignal): Promise<ExchangeReply> {
    const secret = this.options.secret;
    return this.send((id) => encodeRelayedRequest(id, request, secret), request.attributes, signal);
  }

  /** Takes an Identifier, encodes with it and runs the exchange until a valid reply or failure. */
  private async send(encode: (id: number) => Buffer, attributes: readonly RadiusAttribute[], signal: AbortSignal | undefined): Promise<ExchangeReply> {
    if (this.closed) throw cancelled('RADIUS client closed');
    if (this.lanes.all.length === 0) throw new Error('UpstreamClient.exchange() called before start()');
    const { lane, id } = await this.lanes.acquire(signal);
    if (this.closed || signal?.aborted) {
      lane.pool.release(id);
      throw cancelled(this.closed ? 'RADIUS client closed' : 'RADIUS auth request aborted');
    }
    let packet: Buffer;
    try {
      packet = encode(id);
    } catch (err) {
      lane.pool.release(id);
      throw new AuthproxyError('AP_ERR_RADIUS_ENCODE', 'cannot encode the upstream RADIUS request', { cause: err });
    }
    return new Promise<ExchangeReply>((resolve, reject) => {
      const p: Pending = {
        lane,
        id,
        packet,
        authenticator: Buffer.from(packet.subarray(4, 20)),
        proxyStates: proxyStatesOf(attributes),
        user: firstValue(attributes, Attr.UserName)?.toString('utf8') ?? '',
        transmissions: 0,
        lastHost: this.options.hosts[0]!,
        timer: undefined,
        resolve,
        reject,
        signal,
        onAbort: () => this.fail(p, cancelled('RADIUS auth request aborted')),
      };
      lane.pending.set(id, p);
      signal?.addEventListener('abort', p.onAbort, { once: true });
      this.transmit(p);
    });
  }

  /** Fails pending and queued exchanges with `AP_ERR_RADIUS_CANCELLED` and closes the socket. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lanes.close(cancelled('RADIUS client closed'), (p) => this.fail(p, cancelled('RADIUS client closed')));
  }

  /** Sends the request's bytes to the next host in turn and arms the wait. */
  private transmit(p: Pending): void {
    const hosts = this.options.hosts;
    const host = hosts[p.transmissions % hosts.length]!;
    p.transmissions++;
    p.lastHost = host;
    const verb = p.transmissions === 1 ? 'Sending' : 'Retransmitting';
    this.options.log.info(`${verb} request for user '${p.user}' to ${pyAddress(host)} with id ${p.id}`);
    const address = this.dualStack && isIPv4(host.host) ? `::ffff:${host.host}` : host.host;
    const failed = (err: unknown): void => this.options.log.error(`could not send RADIUS request id ${p.id} to ${pyAddress(host)}`, err);
    try {
      p.lane.socket.send(p.packet, host.port, address, (err) => err && failed(err));
    } catch (err) {
      failed(err); // a synchronous send error counts as a lost datagram: the schedule goes on
    }
    p.timer = setTimeout(() => this.waitExpired(p), this.retryWaitMs);
  }

  private waitExpired(p: Pending): void {
    p.timer = undefined;
    if (p.transmissions < this.retries + 1) return this.transmit(p);
    this.options.log.info(`Request timeout for (outgoing) id ${p.id} to ${pyAddress(p.lastHost)}`);
    this.fail(p, new AuthproxyError('AP_ERR_RADIUS_TIMEOUT', 'RADIUS auth request timed out'));
  }

  /** Clears the timer and abort listener and returns the Identifier. */
  private settle(p: Pending): boolean {
    if (p.lane.pending.get(p.id) !== p) return false;
    p.lane.pending.delete(p.id);
    if (p.timer) clearTimeout(p.timer);
    p.signal?.removeEventListener('abort', p.onAbort);
    p.lane.pool.release(p.id);
    return true;
  }

  private fail(p: Pending, err: AuthproxyError): void {
    if (this.settle(p)) p.reject(err);
  }

  private drop(rinfo: RemoteInfo, reason: string): void {
    this.options.log.info(`dropping packet from ${unmapIpv4(rinfo.address)}:${rinfo.port} - ${reason}`);
  }

  /** True when (address, port) is a configured upstream server. */
  private isConfiguredSource(address: string, port: number): boolean {
    const k = `${address}|${port}`;
    let ok = this.sourceVerdicts.get(k);
    if (ok === undefined) {
      ok = this.hostKeys.has(hostKey(address, port));
      if (this.sourceVerdicts.size < 256) this.sourceVerdicts.set(k, ok);
    }
    return ok;
  }

  /** Spec §3.2 step 5: every check a reply must pass; a failing one is logged and ignored. */
  private receive(lane: Lane<Pending>, msg: Buffer, rinfo: RemoteInfo): void {
    const address = unmapIpv4(rinfo.address);
    // The reply must come from a configured (ip, port) exactly, not just a configured ip.
    if (!this.isConfiguredSource(address, rinfo.port)) return this.drop(rinfo, 'response from an address that is not a configured upstream server');
    if (msg.length < 20) return this.drop(rinfo, 'Packet header is corrupt');
    const p = lane.pending.get(msg[1]!);
    if (!p) return this.drop(rinfo, `response id ${msg[1]} does not match an outstanding request`);
    // RFC 2865 §3 (Response Authenticator), RFC 3579 §3.2 (Message-Authenticator, when present/required).
    const check = checkReply(msg, { identifier: p.id, authenticator: p.authenticator }, this.options.secret, this.options.requireMessageAuthenticator ?? false);
    if (!check.ok) return this.drop(rinfo, check.reason);
    // BlastRADIUS hardening (security.md "As a RADIUS client"): no Proxy-State we did not send.
    const foreign = check.packet.attributes.some((a) => a.type === Attr.ProxyState && !p.proxyStates.some((s) => s.equals(a.value)));
    if (foreign) return this.drop(rinfo, 'response contains a Proxy-State that was not sent');
    this.options.log.info(`Got response for id ${p.id} from ${pyAddress({ address, port: rinfo.port })}; code ${check.packet.code}`);
    if (!this.settle(p)) return;
    const from = { host: address, port: rinfo.port };
    p.resolve({ code: check.packet.code, identifier: p.id, attributes: check.packet.attributes, raw: msg, from, requestAuthenticator: p.authenticator });
  }
}

function invalid(message: string): AuthproxyError {
  return new AuthproxyError('AP_ERR_CONFIG_INVALID', message);
}

function cancelled(message: string): AuthproxyError {
  return new AuthproxyError('AP_ERR_RADIUS_CANCELLED', message);
}

/** A canonical (address, port) key, so `::1` and `0::1` compare equal. */
function hostKey(host: string, port: number): string {
  const a = parseAddress(unmapIpv4(host));
  return a ? `${a.family}|${a.value}|${port}` : `${host}|${port}`;
}
