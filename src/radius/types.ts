/**
 * Protocol-level types shared by the RADIUS server core, the upstream client and the handlers.
 * Nothing here knows about users, LDAP or Duo.
 */

/** RADIUS packet codes used by the proxy (RFC 2865 §3, RFC 5997). */
export const Code = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
} as const;

/** Duo's names for reply codes, as printed in `Returning response code <n>: <name>`. */
export const REPLY_CODE_NAMES: Readonly<Record<number, string>> = {
  2: 'AccessAccept',
  3: 'AccessReject',
  11: 'AccessChallenge',
};

/**
 * One top-level attribute, exactly as on the wire: `type` and the value bytes (without the
 * 2-byte header). Vendor-Specific attributes stay raw (type 26, value = vendor id + sub-TLVs);
 * `src/radius/dictionary.ts` resolves names, including vendor attributes, to matchers.
 */
export interface RadiusAttribute {
  readonly type: number;
  readonly value: Buffer;
}

/** The decoded User-Password of a request (RFC 2865 §5.2, then `pw_codec`). */
export type PasswordField =
  | { readonly state: 'absent' }
  | { readonly state: 'ok'; readonly value: string }
  | { readonly state: 'undecodable' };

/** The NAS entry a request matched: the network from `radius_ip_N` and its secret. */
export interface MatchedClient {
  /** The `radius_ip_N` value as written (single IP, CIDR, ip/netmask or range). */
  readonly network: string;
  readonly secret: Buffer;
}

/** A validated Access-Request, handed to a {@link RadiusHandler}. */
export interface RadiusRequest {
  readonly raw: Buffer;
  readonly code: number;
  readonly identifier: number;
  /** The 16-byte Request Authenticator. */
  readonly authenticator: Buffer;
  /** All attributes in wire order. */
  readonly attributes: readonly RadiusAttribute[];
  readonly source: { readonly address: string; readonly port: number };
  /** Lower-cased server section name that owns the matched client network. */
  readonly section: string;
  readonly client: MatchedClient;
  /** True when the request carried a (verified) Message-Authenticator. */
  readonly hasMessageAuthenticator: boolean;
  readonly password: PasswordField;
  /** `User-Name` as UTF-8 text, if present. */
  readonly userName: string | undefined;
}

/**
 * What a handler decides. The server core turns it into a reply (Message-Authenticator first,
 * Proxy-State echoed, Reply-Message split at 253 bytes) or into silence (`drop`).
 */
export type Outcome =
  | {
      readonly kind: 'accept' | 'reject';
      readonly replyMessage?: string | undefined;
      readonly attributes?: readonly RadiusAttribute[] | undefined;
    }
  | {
      readonly kind: 'challenge';
      readonly state: Buffer;
      readonly replyMessage?: string | undefined;
      readonly attributes?: readonly RadiusAttribute[] | undefined;
    }
  | { readonly kind: 'drop'; readonly reason: string };

/** Implemented by the 2FA pipeline (and by simple handlers in tests). */
export interface RadiusHandler {
  /**
   * Decide the answer to one Access-Request. Runs once per login: retransmissions are absorbed by
   * the server core. `signal` aborts when the server shuts down. Must not throw for expected
   * outcomes; a throw is logged as `unhandled error processing request` and nothing is sent.
   */
  handle(request: RadiusRequest, signal: AbortSignal): Promise<Outcome>;
}
