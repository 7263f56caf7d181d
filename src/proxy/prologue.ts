/**
 * The start every server section shares (spec §5.4 B and D.1): a request needs a User-Name
 * (`No username provided`) and, on PAP, a non-empty decodable password.
 */
import type { Outcome } from '../radius/types.js';
import { reject, type RequestContext } from './context.js';
import { Msg, pyRepr } from './messages.js';

/**
 * Checks User-Name and password, logs `login attempt for username '<name>'`, and returns the
 * password — or the reject to send. `badPassword` is the section's Reply-Message for a missing
 * password (`Missing or improperly-formatted password`; concat: `No password provided`).
 */
export function papPrologue(ctx: RequestContext, badPassword: string = Msg.badPassword): string | Outcome {
  if (ctx.user === undefined) {
    ctx.event('Primary authentication', 'Error', Msg.noUsername);
    return reject(Msg.noUsername);
  }
  ctx.info(`login attempt for username ${pyRepr(ctx.user)}`);
  const pw = ctx.request.password;
  if (pw.state !== 'ok' || pw.value === '') {
    ctx.event('Primary authentication', 'Error', badPassword === Msg.badPassword ? Msg.badPassword : `${Msg.badPassword} - no password`);
    return reject(badPassword);
  }
  return pw.value;
}
