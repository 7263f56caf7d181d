/** The public shapes of the upstream RADIUS client (src/radius/upstream.ts). */
import type { Logger } from '../log/logger.js';
import type { RelayedRequestSpec } from './access-request.js';
import type { RadiusAttribute } from './types.js';

/** One upstream server address (an IP literal; spec §3.1: hostnames are not resolved). */
export interface UpstreamHost {
  readonly host: string;
  readonly port: number;
}

/** Options of an {@link UpstreamClient}. */
export interface UpstreamOptions {
  /** `host`/`port`, then `host_1`/`port_1`…, in order; at least one. */
  readonly hosts: readonly UpstreamHost[];
  /** Shared secret with every upstream host. */
  readonly secret: Buffer;
  /** Re-sends after the first transmission (default 3). */
  readonly retries?: number;
  /** Wait before each re-send and after the last one, in ms (default 2000). */
  readonly retryWaitMs?: number;
  /** Drop replies without a valid Message-Authenticator (default false; spec §9.1 clone option). */
  readonly requireMessageAuthenticator?: boolean;
  /** Source sockets opened when 256 requests are in flight on each (default 16; see upstream-lanes.ts). */
  readonly maxSockets?: number;
  readonly log: Logger;
}

/** What to send: attributes in order (without User-Password and Message-Authenticator). */
export interface ExchangeRequest {
  readonly attributes: readonly RadiusAttribute[];
  /** Plain password bytes, hidden with the upstream secret (RFC 2865 §5.2). */
  readonly password?: Buffer | undefined;
  /** 1 = Access-Request (default), 12 = Status-Server. */
  readonly code?: number;
}

/** What `relay()` sends (spec §3.3): the NAS's Request Authenticator and attributes, as they are. */
export type RelayRequest = RelayedRequestSpec;

/** A reply that passed every check. */
export interface ExchangeReply {
  readonly code: number;
  readonly identifier: number;
  readonly attributes: readonly RadiusAttribute[];
  readonly raw: Buffer;
  readonly from: UpstreamHost;
  /** The Request Authenticator the upstream saw (salted reply values are encrypted with it, RFC 2548 §2.4.2). */
  readonly requestAuthenticator: Buffer;
}
