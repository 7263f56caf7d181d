/**
 * Turning a validated datagram into a {@link RadiusRequest}, and the request-level checks of
 * spec §5.3 steps 4–9: code, Message-Authenticator, BlastRADIUS policy, User-Password decoding.
 */
import { verifyMessageAuthenticator } from './authenticator.js';
import { Attr, firstValue } from './dictionary.js';
import type { ParsedPacket } from './packet.js';
import { decodePassword, decryptUserPassword } from './password.js';
import type { MatchedClient, PasswordField, RadiusAttribute, RadiusRequest } from './types.js';

/** Per-section request policy (spec §9.1 clone options). */
export interface RequestPolicy {
  /** Drop Access-Requests without a Message-Authenticator. */
  readonly requireMessageAuthenticator: boolean;
  /** Drop Access-Requests that carry Proxy-State but no Message-Authenticator (BlastRADIUS). */
  readonly limitProxyState: boolean;
  /** Codec for User-Password text (`pw_codec`). */
  readonly pwCodec: string;
}

/**
 * Checks the Message-Authenticator rules; returns a drop reason or undefined.
 * RFC 3579 §3.2: a request whose Message-Authenticator does not verify MUST be silently discarded.
 */
export function checkMessageAuthenticator(
  raw: Buffer,
  packet: ParsedPacket,
  secret: Buffer,
  policy: RequestPolicy,
  source: string,
): string | undefined {
  if (packet.messageAuthenticatorOffset >= 0) {
    return verifyMessageAuthenticator(raw, packet.messageAuthenticatorOffset, secret)
      ? undefined
      : `Invalid Message-Authenticator from ${source}`;
  }
  if (policy.requireMessageAuthenticator) {
    return 'Missing Message-Authenticator (require_message_authenticator=true; configure the NAS to send it)';
  }
  if (policy.limitProxyState && packet.attributes.some((a) => a.type === Attr.ProxyState)) {
    return 'Proxy-State without Message-Authenticator (limit_proxy_state=true; configure the NAS to send Message-Authenticator)';
  }
  return undefined;
}

/** Decrypts and decodes User-Password (RFC 2865 §5.2, then `pw_codec`). */
export function decodeUserPassword(packet: ParsedPacket, secret: Buffer, pwCodec: string): PasswordField {
  const hidden = firstValue(packet.attributes, Attr.UserPassword);
  if (hidden === undefined) return { state: 'absent' };
  const bytes = decryptUserPassword(hidden, secret, packet.authenticator);
  if (bytes === undefined) return { state: 'undecodable' };
  const text = decodePassword(bytes, pwCodec);
  return text === undefined ? { state: 'undecodable' } : { state: 'ok', value: text };
}

/** Builds the handler's view of a request. */
export function buildRequest(
  raw: Buffer,
  packet: ParsedPacket,
  source: { address: string; port: number },
  section: string,
  client: MatchedClient,
  password: PasswordField,
): RadiusRequest {
  const userName = firstValue(packet.attributes, Attr.UserName);
  return {
    raw,
    code: packet.code,
    identifier: packet.identifier,
    authenticator: packet.authenticator,
    attributes: packet.attributes,
    source,
    section,
    client,
    hasMessageAuthenticator: packet.messageAuthenticatorOffset >= 0,
    password,
    userName: userName?.toString('utf8'),
  };
}

/** Duo's log prefix for a request: `(('10.0.0.5', 50123), jdoe, 17)`. */
export function requestLabel(source: { address: string; port: number }, user: string | undefined, id: number): string {
  return `(${pyAddress(source)}, ${user ?? 'None'}, ${id})`;
}

/** Python's repr of an (address, port) tuple, as Duo's log lines print them: `('10.0.0.5', 1812)`. */
export function pyAddress(a: { readonly address: string; readonly port: number } | { readonly host: string; readonly port: number }): string {
  return `('${'address' in a ? a.address : a.host}', ${a.port})`;
}

/** The Proxy-State values of a request, in order (RFC 2865 §5.33: echoed unmodified in the reply). */
export function proxyStatesOf(attributes: readonly RadiusAttribute[]): Buffer[] {
  return attributes.filter((a) => a.type === Attr.ProxyState).map((a) => a.value);
}
