/**
 * The start every server section shares (spec §5.4 B and D.1): a request needs a User-Name
 * (`No username provided`) and, on PAP, a non-empty decodable password.
 */
import type { Outcome, RadiusAttribute } from '../radius/types.js';
import { reject, type RequestContext } from './context.js';
import { Msg, pyRepr } from './messages.js';

/**
 * Spec §5.4 B: rejects a request without User-Name (with `rejectAttributes`, e.g. MS-CHAP-Error),
 * else logs `login attempt for username '<name>'` and returns undefined.
 */
export function checkUserName(ctx: RequestContext, rejectAttributes: readonly RadiusAttribute[] = []): Outcome | undefined {
  if (ctx.user === undefined) {
    ctx.event('Primary authentication', 'Error', Msg.noUsername);
    return reject(Msg.noUsername, rejectAttributes);
  }
  ctx.info(`login attempt for username ${pyRepr(ctx.user)}`);
  return undefined;
}

/**
 * Spec §5.4 D.1: the PAP password, or the reject to send when it is missing, empty or not
 * decodable. `badPassword` is the section's Reply-Message for that (`Missing or
 * improperly-formatted password`; concat: `No password provided`).
 */
export function papPassword(ctx: RequestContext, badPassword: string = Msg.badPassword): string | Outcome {
  const pw = ctx.request.password;
  if (pw.state === 'ok' && pw.value !== '') return pw.value;
  ctx.event('Primary authentication', 'Error', badPassword === Msg.badPassword ? Msg.badPassword : `${Msg.badPassword} - no password`);
  return reject(badPassword);
}

/** B then D.1: the password of a PAP login, or the reject to send. */
export function papPrologue(ctx: RequestContext, badPassword: string = Msg.badPassword): string | Outcome {
  return checkUserName(ctx) ?? papPassword(ctx, badPassword);
}
