/**
 * `[radius_server_auto]` E — EAP relay (spec §5.4 E, §3.3, §9.1): each EAP round the NAS sends is
 * proxied whole to the `[radius_client]`'s upstream; its Access-Challenges go back to the NAS, its
 * Access-Reject ends the login, and its Access-Accept is the primary success that Duo (F) follows.
 *
 * State: Duo's proxy hands the upstream's State to the NAS as it is. We wrap it instead: the NAS
 * gets one of our challenge States (33 random bytes, bound to the NAS's IP and User-Name, one use,
 * 300 s — spec §5.4 A) that remembers the upstream's, and the next round goes upstream carrying the
 * upstream's State again. The upstream sees exactly what Duo's proxy would send it; the NAS cannot
 * tell; and every State a NAS presents is checked by the same code path as our own challenges.
 */
import { isPacketRelay, type RelayResult } from '../primary/radius-client-relay.js';
import { Attr, firstValue } from '../radius/dictionary.js';
import { Code, type Outcome, type RadiusAttribute } from '../radius/types.js';
import { reject, type AcceptedPrimary, type RequestContext } from './context.js';
import { duoStep } from './duo-step.js';
import { Msg } from './messages.js';

/** Duo's primary message when the upstream reply has no Reply-Message. */
const NO_REPLY_MESSAGE = 'No reply message in packet';
/** RFC 3748 §4.2 EAP codes. */
const EAP_SUCCESS = 3;
const EAP_FAILURE = 4;

/** Spec §5.4 E: one EAP round. `upstreamState` when the NAS answers an upstream challenge we relayed. */
export async function eapRelay(ctx: RequestContext, upstreamState?: Buffer): Promise<Outcome> {
  const primary = ctx.deps.primary;
  if (!isPacketRelay(primary)) {
    ctx.event('Primary authentication', 'Error', Msg.cannotProxy);
    return reject(Msg.cannotProxy);
  }
  let r: RelayResult;
  try {
    r = await primary.relay(ctx.request, upstreamState, ctx.signal);
  } catch (err) {
    r = { status: 'unavailable', message: err instanceof Error ? err.message : String(err), cause: err };
  }
  if (r.status === 'unavailable') {
    const text = Msg.primaryError + r.message;
    ctx.info(text);
    ctx.event('Primary authentication', 'Error', text);
    return reject(text);
  }
  switch (r.code) {
    case Code.AccessChallenge:
      return relayChallenge(ctx, r.attributes);
    case Code.AccessReject:
      return relayReject(ctx, r.attributes);
    case Code.AccessAccept:
      return afterAccept(ctx, r.attributes);
    default:
      return unexpected(ctx, `upstream answered EAP with code ${r.code}`);
  }
}

function upstreamMessage(attrs: readonly RadiusAttribute[]): string {
  return firstValue(attrs, Attr.ReplyMessage)?.toString('utf8') ?? NO_REPLY_MESSAGE;
}

function unexpected(ctx: RequestContext, why: string): Outcome {
  ctx.info(`${Msg.unexpectedPacket}: ${why}`);
  ctx.event('Primary authentication', 'Error', Msg.unexpectedPacket);
  return reject(Msg.unexpectedPacket);
}

/**
 * An upstream Access-Challenge with State goes to the NAS with everything else unchanged
 * (EAP-Message, Reply-Message, Session-Timeout…); the server core signs it with the NAS's secret,
 * Message-Authenticator first (RFC 3579 §3.2), and echoes the NAS's Proxy-State.
 */
function relayChallenge(ctx: RequestContext, attrs: readonly RadiusAttribute[]): Outcome {
  const upstreamState = firstValue(attrs, Attr.State);
  if (upstreamState === undefined) return unexpected(ctx, 'upstream Access-Challenge without State');
  const req = ctx.request;
  const state = ctx.deps.challenges.issue(req.source.address, ctx.user ?? '', req.identifier, { kind: 'eap', upstreamState: Buffer.from(upstreamState) });
  return { kind: 'challenge', state, attributes: attrs.filter((a) => a.type !== Attr.State) };
}

/** The upstream's Access-Reject reaches the NAS as it is (its Reply-Message, its EAP-Failure). */
function relayReject(ctx: RequestContext, attrs: readonly RadiusAttribute[]): Outcome {
  const message = upstreamMessage(attrs);
  ctx.info(`${Msg.primaryRejected}${message}`);
  ctx.event('Primary authentication', 'Reject', Msg.primaryRejected + message);
  return reject(undefined, attrs);
}

/**
 * Upstream Access-Accept: primary success with all its attributes (MPPE keys already re-encrypted
 * for the NAS), then Duo. Inside EAP there is no way to ask for a passcode, so a `passcode` factor
 * is sent to Duo as the word itself (spec §5.4 E). A Duo reject carries an EAP-Failure in place of
 * the upstream's EAP-Success, so the peer's EAP state agrees with the NAS's decision (RFC 3579 §2.6.3).
 */
async function afterAccept(ctx: RequestContext, attrs: readonly RadiusAttribute[]): Promise<Outcome> {
  const message = upstreamMessage(attrs);
  ctx.info(`${Msg.primaryOk}${message}`);
  ctx.event('Primary authentication', 'Allow', Msg.primaryOk + message);
  const primary: AcceptedPrimary = { status: 'accept', message, attributes: attrs };
  const out = await duoStep(ctx, primary, { factor: undefined, passcode: 'literal' });
  if (out.kind !== 'reject') return out;
  const failure = eapFailureFor(firstValue(attrs, Attr.EapMessage));
  return failure ? reject(out.replyMessage, [...(out.attributes ?? []), failure]) : out;
}

/** An EAP-Failure with the Identifier of the upstream's EAP-Success (RFC 3748 §4.2), if there was one. */
function eapFailureFor(eap: Buffer | undefined): RadiusAttribute | undefined {
  if (eap === undefined || eap.length < 4 || eap[0] !== EAP_SUCCESS) return undefined;
  return { type: Attr.EapMessage, value: Buffer.from([EAP_FAILURE, eap[1]!, 0, 4]) };
}
