/**
 * The first factor. Each client section (`[ad_client]`, `[radius_client]`, `[duo_only_client]`)
 * becomes one {@link PrimaryAuthenticator}. Expected failures are values, never exceptions.
 */
import type { RadiusAttribute, RadiusRequest } from '../radius/types.js';

/** One primary-auth attempt (one RADIUS login, or one half of a concat retry). */
export interface PrimaryRequest {
  /** RADIUS `User-Name`, verbatim. */
  readonly username: string;
  /** The password to check (possibly concat-stripped); undefined for MS-CHAP logins. */
  readonly password: string | undefined;
  /** The NAS request, for attributes a RADIUS upstream needs (MS-CHAP, State, client IP). */
  readonly request: RadiusRequest;
  /**
   * Server-side pass-through: request attributes to copy into the upstream request
   * (`pass_through_attr_names` / `pass_through_all` of the server section, spec §5.1, §3.2 step 2.2).
   */
  readonly passThrough: readonly RadiusAttribute[];
  /** End-user IP text (value of the server section's `client_ip_attr`), forwarded as Calling-Station-Id. */
  readonly clientIp: string | undefined;
  /** Upstream `State` when this request answers an upstream Access-Challenge we relayed. */
  readonly upstreamState?: Buffer | undefined;
}

/**
 * Result of primary auth. `message` is Duo's primary message (spec §5.8):
 * e.g. `Active Directory authentication succeeded`, `Invalid User`, `No reply message in packet`.
 */
export type PrimaryResult =
  | { readonly status: 'accept'; readonly message: string; readonly attributes: readonly RadiusAttribute[] }
  | { readonly status: 'reject'; readonly message: string; readonly attributes: readonly RadiusAttribute[] }
  | {
      /** Upstream RADIUS Access-Challenge (its own OTP), to be relayed to the NAS (our extension). */
      readonly status: 'challenge';
      readonly message: string | undefined;
      readonly state: Buffer;
      readonly attributes: readonly RadiusAttribute[];
    }
  | {
      /** The backend could not be used (e.g. upstream RADIUS timeout). `message` is the bare cause,
       *  e.g. `RADIUS auth request timed out`; the pipeline prefixes `Error performing primary authentication: `. */
      readonly status: 'unavailable';
      readonly message: string;
      readonly cause?: unknown;
    };

/** A primary authentication backend (one client section). */
export interface PrimaryAuthenticator {
  /** Lower-cased section name, e.g. `ad_client`, `radius_client2`. */
  readonly name: string;
  /** Module type: the section name without trailing digits. */
  readonly kind: 'ad_client' | 'radius_client' | 'duo_only_client';
  /** Open pools/sockets. No I/O in constructors. */
  start(): Promise<void>;
  authenticate(request: PrimaryRequest, signal: AbortSignal): Promise<PrimaryResult>;
  /** Safe after a partial start. */
  close(): Promise<void>;
}
