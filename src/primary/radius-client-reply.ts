/**
 * Turning an upstream reply into a {@link PrimaryResult} (spec §3.2 step 6, §10 item 22).
 * Pure: reply in, result out.
 */
import { Attr, attributeCarries, firstValue, resolveAttribute, type AttributeRef } from '../radius/dictionary.js';
import { Code, type RadiusAttribute } from '../radius/types.js';
import type { ExchangeReply } from '../radius/upstream.js';
import type { PrimaryResult } from './types.js';

/** Duo's primary message when the upstream reply has no Reply-Message. */
export const NO_REPLY_MESSAGE = 'No reply message in packet';

/** MS-CHAP response attributes relayed on Accept and Reject whatever the pass-through settings. */
export const MSCHAP_RESPONSE_ATTRIBUTES = ['MS-CHAP2-Success', 'MS-CHAP-Error', 'MS-CHAP-Domain'] as const;

/** Attributes that are never passed back to the NAS: hop-by-hop (RFC 3579 §3.2, RFC 2865 §5.33). */
const HOP_BY_HOP: ReadonlySet<number> = new Set([Attr.MessageAuthenticator, Attr.ProxyState]);

/** Which upstream reply attributes go back to the NAS (`[radius_client]` options). */
export interface PassThroughPolicy {
  /** Resolved `pass_through_attr_names` (unknown names already left out). */
  readonly refs: readonly AttributeRef[];
  /** `pass_through_all`. */
  readonly all: boolean;
}

/** Resolves `pass_through_attr_names`; unknown names are silently ignored (spec §3.1). */
export function resolvePassThroughNames(names: readonly string[]): AttributeRef[] {
  return names.map((n) => resolveAttribute(n.trim())).filter((r): r is AttributeRef => r !== undefined);
}

/** Resolved once (the dictionaries load lazily): every upstream reply is filtered with them. */
let resolvedMschapRefs: AttributeRef[] | undefined;
const mschapRefs = (): AttributeRef[] => (resolvedMschapRefs ??= resolvePassThroughNames(MSCHAP_RESPONSE_ATTRIBUTES));

function matchesAny(a: RadiusAttribute, refs: readonly AttributeRef[]): boolean {
  return refs.some((r) => attributeCarries(a, r));
}

/** The pass-through set plus the MS-CHAP response attributes, in reply order. */
export function acceptAttributes(attrs: readonly RadiusAttribute[], policy: PassThroughPolicy): RadiusAttribute[] {
  const mschap = mschapRefs();
  return attrs.filter((a) => !HOP_BY_HOP.has(a.type) && (policy.all || matchesAny(a, policy.refs) || matchesAny(a, mschap)));
}

/** The first Reply-Message as UTF-8 text. */
function replyMessage(attrs: readonly RadiusAttribute[]): string | undefined {
  return firstValue(attrs, Attr.ReplyMessage)?.toString('utf8');
}

/**
 * Maps a verified upstream reply: Accept → accept, Reject → reject (message = first Reply-Message
 * or `No reply message in packet`), Challenge → challenge (our extension: the pipeline relays it
 * to the NAS instead of dropping it as Duo does), anything else → unavailable.
 */
export function resultFromReply(reply: ExchangeReply, policy: PassThroughPolicy): PrimaryResult {
  const message = replyMessage(reply.attributes) ?? NO_REPLY_MESSAGE;
  switch (reply.code) {
    case Code.AccessAccept:
      return { status: 'accept', message, attributes: acceptAttributes(reply.attributes, policy) };
    case Code.AccessReject:
      return { status: 'reject', message, attributes: reply.attributes.filter((a) => matchesAny(a, mschapRefs())) };
    case Code.AccessChallenge:
      return challengeResult(reply.attributes, policy);
    default:
      return { status: 'unavailable', message: `response packet is not Access-Accept or Access-Reject (code ${reply.code})` };
  }
}

/** RFC 2865 §4.4: the State of an Access-Challenge is echoed by the NAS in the answer. */
function challengeResult(attrs: readonly RadiusAttribute[], policy: PassThroughPolicy): PrimaryResult {
  const state = firstValue(attrs, Attr.State);
  if (!state || state.length === 0) return { status: 'unavailable', message: 'upstream Access-Challenge has no State attribute' };
  // State and Reply-Message travel in their own fields; the rest follows the pass-through policy.
  const attributes = acceptAttributes(attrs, policy).filter((a) => a.type !== Attr.State && a.type !== Attr.ReplyMessage);
  return { status: 'challenge', message: replyMessage(attrs), state: Buffer.from(state), attributes };
}
