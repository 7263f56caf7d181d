/**
 * `[radius_server_concat]` (spec §5.9): the password must be `password<delim>factor` every time;
 * primary with the left part, then preauth + auth with the right part.
 */
import type { Outcome, RadiusHandler, RadiusRequest } from '../radius/types.js';
import { Attr, firstValue } from '../radius/dictionary.js';
import { reject, RequestContext, type SectionDeps } from './context.js';
import { splitConcat } from './decide.js';
import { duoStep } from './duo-step.js';
import { Msg } from './messages.js';
import { papPrologue } from './prologue.js';
import { runPrimary } from './primary-step.js';

/** The `[radius_server_concat]` request handler. */
export class ConcatServer implements RadiusHandler {
  constructor(private readonly deps: SectionDeps) {}

  async handle(request: RadiusRequest, signal: AbortSignal): Promise<Outcome> {
    const ctx = new RequestContext(this.deps, request, signal);
    if (firstValue(request.attributes, Attr.State) !== undefined) {
      ctx.event('Unknown', 'Reject', 'Response to unknown AccessChallenge!');
      return reject(Msg.unknownChallenge);
    }
    const pw = papPrologue(ctx, Msg.concatNoPassword);
    if (typeof pw !== 'string') return pw;
    const split = splitConcat(pw, this.deps.policy.concat);
    const reason = !split ? 'no delimiter found' : split.password === '' ? 'empty password part' : split.factor === undefined ? 'empty factor part' : undefined;
    if (reason || !split || split.factor === undefined) {
      ctx.event('Primary authentication', 'Error', `${Msg.badPassword} - ${reason ?? 'invalid'}`);
      return reject(Msg.concatInvalid);
    }
    const r = await runPrimary(ctx, split.password);
    if (r.status !== 'accept') return reject(r.status === 'challenge' ? Msg.unexpectedPacket : r.message);
    return duoStep(ctx, r, { factor: split.factor });
  }
}
