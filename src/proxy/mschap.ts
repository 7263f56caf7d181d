/**
 * `[radius_server_auto]` I — MS-CHAPv2 logins (spec §5.4 I) and what they share with password
 * changes (H, mschap-cpw.ts): forwarding to the primary, a bare Duo auth call, and the
 * `Enter passcode:` challenge whose answer replays the original MS-CHAPv2 request.
 *
 * The upstream checks the MS-CHAPv2 response; no password leaves the proxy. MPPE keys in the
 * upstream's Accept are re-encrypted for the NAS by the RADIUS client (spec §11).
 */
import { runPrimary } from './primary-step.js';
import { accept, reject, RequestContext, type AcceptedPrimary } from './context.js';
import { authStep, duoStep } from './duo-step.js';
import { preauthIpaddr } from './decide.js';
import { Msg } from './messages.js';
import {
  mschapError691,
  mschapErrorCode,
  withMschapError,
  withoutMschapError,
  withoutReplyMessage,
} from './mschap-attributes.js';
import type { PreauthResult } from '../duo/types.js';
import type { Outcome, RadiusAttribute, RadiusRequest } from '../radius/types.js';

/** MS-CHAP-Error code for "password expired" (RFC 2759 §6: ERROR_PASSWD_EXPIRED). */
const E_PASSWD_EXPIRED = 648;

/** Stands in for the primary result where the Duo steps need one: the MS-CHAP answer comes from the primary later. */
export const NO_PRIMARY: AcceptedPrimary = { status: 'accept', message: '', attributes: [] };
/** Stands in for a preauth answer where none was asked for (the passcode answer goes straight to auth). */
const NO_PREAUTH: PreauthResult = { result: 'allow', status: '' };

/** A reject outcome with MS-CHAP-Error 691 added (unless it has an MS-CHAP-Error). */
export function with691(out: Outcome): Outcome {
  if (out.kind !== 'reject') return out;
  return reject(out.replyMessage, withMschapError(out.attributes ?? []));
}

/** Spec §5.4 I: primary without a password, then Duo; rejects carry MS-CHAP-Error. */
export async function mschapLogin(ctx: RequestContext): Promise<Outcome> {
  if (ctx.deps.policy.allowConcat) ctx.info('MS-CHAPv2 login: a factor cannot be appended to the password with MS-CHAPv2');
  const r = await runPrimary(ctx, undefined);
  switch (r.status) {
    case 'accept':
      return with691(await duoStep(ctx, r, { factor: undefined, passcode: () => mschapPasscodeChallenge(ctx) }));
    case 'reject':
      return primaryReject(ctx, r.message, r.attributes);
    case 'challenge':
      return reject(Msg.unexpectedPacket, [mschapError691()]);
    case 'unavailable':
      return reject(r.message, [mschapError691()]);
  }
}

/**
 * The primary's reject with its attributes (MS-CHAP-Error 691 added if it sent none). `E=648`
 * (password expired) would make the client offer a password change: when Duo would refuse the
 * user anyway (preauth deny/enroll) it becomes 691, so no change is offered (spec §5.4 I).
 */
async function primaryReject(ctx: RequestContext, message: string, attrs: readonly RadiusAttribute[]): Promise<Outcome> {
  if (mschapErrorCode(attrs) === E_PASSWD_EXPIRED && (await duoRefusesUser(ctx))) {
    return reject(message, [...withoutMschapError(attrs), mschapError691()]);
  }
  return reject(message, withMschapError(attrs));
}

/** Preauth only: true for deny/enroll. A Duo failure keeps the primary's answer (false). */
async function duoRefusesUser(ctx: RequestContext): Promise<boolean> {
  const { policy, duo } = ctx.deps;
  const user = ctx.user ?? '';
  if (policy.exemptUsernames.includes(user)) return false;
  try {
    const pre = await duo.preauth({ user, ipaddr: preauthIpaddr(ctx.clientIp), failmode: policy.failmode }, ctx.signal);
    ctx.info(`Got preauth result for: '${pre.result}'`);
    return pre.result === 'deny' || pre.result === 'enroll';
  } catch (err) {
    ctx.deps.log.error('Duo preauth call failed', err);
    return false;
  }
}

/** `Enter passcode:` for an MS-CHAPv2 request (login or change); the answer replays `ctx.request`. */
export function mschapPasscodeChallenge(ctx: RequestContext): Outcome {
  const r = ctx.request;
  const state = ctx.deps.challenges.issue(r.source.address, ctx.user ?? '', r.identifier, { kind: 'mschap', request: r });
  ctx.info('Sending authentication challenge packet');
  return { kind: 'challenge', state, replyMessage: Msg.enterPasscode };
}

/**
 * The answer to {@link mschapPasscodeChallenge} (spec §5.4 H, I quirk): Duo auth with the
 * passcode, then the original MS-CHAPv2 request goes to the primary (a second time, for a login)
 * and its answer is mirrored without Reply-Message. The replay answers the *new* request, so it
 * keeps the new request's authenticator (MPPE keys are encrypted with it) and Proxy-State.
 */
export async function mschapPasscodeAnswer(ctx: RequestContext, original: RadiusRequest, passcode: string): Promise<Outcome> {
  const denied = await duoAuth(ctx, passcode);
  if (denied) return denied;
  const replay: RadiusRequest = { ...ctx.request, attributes: original.attributes, password: { state: 'absent' } };
  return forwardMschap(new RequestContext(ctx.deps, replay, ctx.signal));
}

/** Sends the MS-CHAPv2 request to the primary and mirrors its answer without Reply-Message (spec §5.4 H). */
export async function forwardMschap(ctx: RequestContext): Promise<Outcome> {
  const r = await runPrimary(ctx, undefined);
  switch (r.status) {
    case 'accept':
      return accept(undefined, withoutReplyMessage(r.attributes));
    case 'reject':
      return reject(undefined, withMschapError(withoutReplyMessage(r.attributes)));
    case 'challenge':
      return reject(Msg.unexpectedPacket, [mschapError691()]);
    case 'unavailable':
      return reject(r.message, [mschapError691()]);
  }
}

/**
 * One Duo auth call (no preauth: the caller has done it). Undefined when Duo allows (or failmode
 * lets the login through); otherwise the reject, with MS-CHAP-Error 691.
 */
export async function duoAuth(ctx: RequestContext, factor: string, pre: PreauthResult = NO_PREAUTH): Promise<Outcome | undefined> {
  const out = await authStep(ctx, NO_PRIMARY, pre, factor, { factor });
  return out.kind === 'accept' ? undefined : with691(out);
}
