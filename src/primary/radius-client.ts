/**
 * `[radius_client]`: primary auth against upstream RADIUS servers (spec §3). Each login becomes a
 * new Access-Request (spec §3.2, built in radius-client-request.ts) sent through the section's
 * {@link UpstreamClient}; the reply is mapped in radius-client-reply.ts.
 */
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { AuthproxyError, hasCode } from '../errors.js';
import { encodePassword } from '../radius/password.js';
import { UpstreamClient, type UpstreamOptions } from '../radius/upstream.js';
import type { RadiusRequest } from '../radius/types.js';
import { buildUpstreamAttributes, isMschapLogin } from './radius-client-request.js';
import { resolvePassThroughNames, resultFromReply, type PassThroughPolicy } from './radius-client-reply.js';
import { attributesForNas, relayedAttributes, relayResult, type PacketRelay, type RelayResult } from './radius-client-relay.js';
import type { PrimaryRequest, PrimaryResult } from './types.js';

/** Options of a `[radius_client]` section (spec §3.1), plus the transport's. */
export interface RadiusClientOptions extends UpstreamOptions {
  /** Lower-cased section name, e.g. `radius_client2`. */
  readonly name: string;
  /** `nas_ip`; default: the local address of the route to 8.8.8.8 (127.0.0.1 without a route). */
  readonly nasIp?: string | undefined;
  /** `pass_through_attr_names`: reply attributes returned to the NAS (unknown names ignored). */
  readonly passThroughAttrNames?: readonly string[];
  /** `pass_through_all`: return every reply attribute except Message-Authenticator and Proxy-State. */
  readonly passThroughAll?: boolean;
  /** `pw_codec` for the upstream User-Password (default `utf-8`). */
  readonly pwCodec?: string;
}

/** RFC 2865 §5.2: a User-Password is at most 128 octets. */
const MAX_PASSWORD_BYTES = 128;
/** Where `nas_ip` auto-detection "connects" to (a UDP connect sends nothing). */
const ROUTE_PROBE = { host: '8.8.8.8', port: 53 };

/**
 * The local address the OS would use to reach 8.8.8.8 (spec §3.1 `nas_ip`: UDP connect, no
 * packet sent), or 127.0.0.1 when there is no route.
 */
export async function defaultNasIp(probe = ROUTE_PROBE): Promise<string> {
  const socket = createSocket('udp4');
  socket.on('error', () => undefined);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.connect(probe.port, probe.host, (err?: Error) => (err ? reject(err) : resolve()));
    });
    return socket.address().address;
  } catch {
    return '127.0.0.1';
  } finally {
    socket.close();
  }
}

/** A `[radius_client]` section as a {@link PrimaryAuthenticator}. */
export class RadiusClient implements PacketRelay {
  readonly kind = 'radius_client' as const;
  readonly name: string;
  private readonly upstream: UpstreamClient;
  private readonly policy: PassThroughPolicy;
  private nasIp: string | undefined;

  constructor(private readonly options: RadiusClientOptions) {
    if (options.nasIp !== undefined && isIP(options.nasIp) === 0) {
      throw new AuthproxyError('AP_ERR_CONFIG_INVALID', `nas_ip "${options.nasIp}" is not an IP address`);
    }
    this.name = options.name;
    this.nasIp = options.nasIp;
    this.upstream = new UpstreamClient(options);
    this.policy = { refs: resolvePassThroughNames(options.passThroughAttrNames ?? []), all: options.passThroughAll ?? false };
  }

  /** Detects `nas_ip` if not configured and binds the upstream socket. */
  async start(): Promise<void> {
    this.nasIp ??= await defaultNasIp();
    await this.upstream.start();
  }

  /** The `NAS-IP-Address` value in use (after start). */
  get effectiveNasIp(): string | undefined {
    return this.nasIp;
  }

  /** The transport (for diagnostics and tests). */
  get transport(): UpstreamClient {
    return this.upstream;
  }

  /** Forwards one login upstream (spec §3.2). Never throws for backend trouble: `unavailable`. */
  async authenticate(request: PrimaryRequest, signal: AbortSignal): Promise<PrimaryResult> {
    if (this.nasIp === undefined) throw new Error('RadiusClient.authenticate() called before start()');
    const password = this.upstreamPassword(request);
    if (password.kind === 'bad') return { status: 'reject', message: password.message, attributes: [] };
    const attributes = buildUpstreamAttributes(request, this.nasIp);
    try {
      const reply = await this.upstream.exchange({ attributes, password: password.bytes }, signal);
      const result = resultFromReply(reply, this.policy);
      if (result.status === 'unavailable') return result;
      return { ...result, attributes: attributesForNas(result.attributes, reply, this.options.secret, request.request, this.warn) };
    } catch (err) {
      return unavailable(err);
    }
  }

  /** Proxies a whole NAS packet upstream (spec §3.3, for EAP). Never throws for backend trouble. */
  async relay(request: RadiusRequest, upstreamState: Buffer | undefined, signal: AbortSignal): Promise<RelayResult> {
    const attributes = relayedAttributes(request.attributes, upstreamState);
    try {
      const reply = await this.upstream.relay({ authenticator: request.authenticator, attributes }, signal);
      return relayResult(reply, this.options.secret, request, this.warn);
    } catch (err) {
      const u = unavailable(err);
      return { status: 'unavailable', message: u.status === 'unavailable' ? u.message : String(err), cause: err };
    }
  }

  private readonly warn = (text: string): void => this.options.log.info(text);

  /** Fails pending logins and closes the socket. */
  async close(): Promise<void> {
    await this.upstream.close();
  }

  /** The password bytes in `pw_codec`; none for MS-CHAP (spec §3.2 step 2.4). */
  private upstreamPassword(request: PrimaryRequest): { kind: 'ok'; bytes: Buffer | undefined } | { kind: 'bad'; message: string } {
    if (request.password === undefined || isMschapLogin(request)) return { kind: 'ok', bytes: undefined };
    const codec = this.options.pwCodec ?? 'utf-8';
    const bytes = encodePassword(request.password, codec);
    if (!bytes) return { kind: 'bad', message: `Cannot encode password with pw_codec ${codec}` };
    if (bytes.length > MAX_PASSWORD_BYTES) return { kind: 'bad', message: 'Password is longer than 128 bytes' };
    return { kind: 'ok', bytes };
  }
}

/** Backend trouble as a result value; the message is the bare cause (spec §5.8). */
function unavailable(err: unknown): PrimaryResult {
  if (hasCode(err, 'AP_ERR_RADIUS_TIMEOUT')) return { status: 'unavailable', message: 'RADIUS auth request timed out', cause: err };
  if (err instanceof AuthproxyError) return { status: 'unavailable', message: err.message, cause: err };
  throw err;
}
