/**
 * What a `[radius_client]` needs to proxy a whole packet for EAP (spec §3.3, §5.4 E), and the
 * rewriting every upstream reply needs before its attributes may reach the NAS (spec §11: salted
 * values such as the MPPE keys are encrypted with the upstream secret and authenticator).
 */
import { Attr } from '../radius/dictionary.js';
import { reencryptSaltedAttributes } from '../radius/mppe.js';
import type { RadiusAttribute, RadiusRequest } from '../radius/types.js';
import type { ExchangeReply } from '../radius/upstream.js';
import type { PrimaryAuthenticator } from './types.js';

/** The result of relaying one NAS packet upstream. */
export type RelayResult =
  | {
      readonly status: 'reply';
      /** The upstream's reply code (2, 3, 11 or anything else it sent). */
      readonly code: number;
      /** Every reply attribute except Message-Authenticator and Proxy-State, salted values re-encrypted for the NAS. */
      readonly attributes: readonly RadiusAttribute[];
    }
  | {
      /** No valid reply (timeout, cancelled, cannot encode); `message` is the bare cause. */
      readonly status: 'unavailable';
      readonly message: string;
      readonly cause?: unknown;
    };

/** A primary that can proxy whole packets (only `[radius_client]` can). */
export interface PacketRelay extends PrimaryAuthenticator {
  /**
   * Relays `request` upstream as it is (spec §3.3), with its State replaced by `upstreamState`
   * when given (the NAS answers the State we gave it in place of the upstream's).
   */
  relay(request: RadiusRequest, upstreamState: Buffer | undefined, signal: AbortSignal): Promise<RelayResult>;
}

/** True when `p` can proxy whole packets. */
export function isPacketRelay(p: PrimaryAuthenticator | undefined): p is PacketRelay {
  return p !== undefined && typeof (p as Partial<PacketRelay>).relay === 'function';
}

/** The NAS's attributes with State replaced (in place) by the upstream's. */
export function relayedAttributes(attrs: readonly RadiusAttribute[], upstreamState: Buffer | undefined): RadiusAttribute[] {
  if (upstreamState === undefined) return [...attrs];
  return attrs.map((a) => (a.type === Attr.State ? { type: Attr.State, value: upstreamState } : a));
}

/**
 * Makes upstream reply attributes fit for the NAS: salted values (MS-MPPE-Send-Key/Recv-Key,
 * Tunnel-Password) decrypted with the upstream secret and the authenticator sent upstream, then
 * encrypted with the NAS's secret and Request Authenticator (RFC 2548 §2.4.2). Values that do not
 * decrypt are left out and reported through `warn`.
 */
export function attributesForNas(
  attrs: readonly RadiusAttribute[],
  reply: Pick<ExchangeReply, 'requestAuthenticator'>,
  upstreamSecret: Buffer,
  nas: RadiusRequest,
  warn: (text: string) => void,
): RadiusAttribute[] {
  const from = { secret: upstreamSecret, authenticator: reply.requestAuthenticator };
  const to = { secret: nas.client.secret, authenticator: nas.authenticator };
  const r = reencryptSaltedAttributes(attrs, from, to);
  for (const p of r.problems) warn(`upstream reply attribute left out, it does not decrypt with the upstream secret: ${p}`);
  return r.attributes;
}

/** Spec §3.3: the reply's attributes minus the hop-by-hop ones, ready for the NAS. */
export function relayResult(reply: ExchangeReply, upstreamSecret: Buffer, nas: RadiusRequest, warn: (text: string) => void): RelayResult {
  const attrs = reply.attributes.filter((a) => a.type !== Attr.MessageAuthenticator && a.type !== Attr.ProxyState);
  return { status: 'reply', code: reply.code, attributes: attributesForNas(attrs, reply, upstreamSecret, nas, warn) };
}
