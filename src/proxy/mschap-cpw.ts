/**
 * `[radius_server_auto]` H — MS-CHAPv2 password change (`MS-CHAP2-CPW`, spec §5.4 H): Duo is
 * asked first, and only a user Duo lets through gets the change request forwarded to the primary,
 * whose answer is mirrored without Reply-Message.
 */
import type { Outcome } from '../radius/types.js';
import { reject, type RequestContext } from './context.js';
import { factorForRequest } from './decide.js';
import { preauthStep } from './duo-step.js';
import { Msg } from './messages.js';
import { mschapError691 } from './mschap-attributes.js';
import { duoAuth, forwardMschap, mschapPasscodeChallenge, NO_PRIMARY } from './mschap.js';

/**
 * Spec §5.4 H: preauth; allow → forward; deny/enroll → reject with MS-CHAP-Error 691 and no
 * message; auth → factor selection: passcode → `Enter passcode:` (the answer authenticates, then
 * forwards), none → `User has no Duo factors usable with this configuration`, otherwise Duo auth
 * and, if allowed, forward. Exempt users and fail-open Duo failures count as allow; a preauth
 * failure that fails closed is answered like deny.
 */
export async function mschapPasswordChange(ctx: RequestContext): Promise<Outcome> {
  const step = await preauthStep(ctx, NO_PRIMARY, { factor: undefined });
  if ('done' in step) return step.done.kind === 'accept' ? forwardMschap(ctx) : reject(undefined, [mschapError691()]);
  const factor = factorForRequest(ctx.deps.policy.factors, step.auth);
  if (factor === 'passcode') return mschapPasscodeChallenge(ctx);
  if (factor === undefined) {
    ctx.event('Secondary authentication', 'Reject', Msg.noFactors);
    return reject(Msg.noFactors, [mschapError691()]);
  }
  return (await duoAuth(ctx, factor, step.auth)) ?? forwardMschap(ctx);
}
