/**
 * `[radius_server_duo_only]` (spec §5.9): no primary auth; the whole PAP password is the factor or
 * passcode (`push`, `phone2`, `123456`…); preauth then auth; on Accept, a preauth `groups` list
 * adds `Class = OU=<first group>;`.
 */
import { Attr, firstValue } from '../radius/dictionary.js';
import type { Outcome, RadiusHandler, RadiusRequest } from '../radius/types.js';
import { reject, RequestContext, type SectionDeps } from './context.js';
import { duoStep } from './duo-step.js';
import { Msg, pyRepr } from './messages.js';

/** The `[radius_server_duo_only]` request handler. */
export class DuoOnlyServer implements RadiusHandler {
  constructor(private readonly deps: SectionDeps) {}

  async handle(request: RadiusRequest, signal: AbortSignal): Promise<Outcome> {
    const ctx = new RequestContext(this.deps, request, signal);
    if (firstValue(request.attributes, Attr.State) !== undefined) {
      const text = `Response to unknown AccessChallenge! state ${firstValue(request.attributes, Attr.State)!.toString('latin1')}`;
      ctx.event('Unknown', 'Reject', text);
      return reject(Msg.unknownChallenge);
    }
    if (ctx.user === undefined) {
      ctx.event('Primary authentication', 'Error', Msg.noUsername);
      return reject(Msg.noUsername);
    }
    ctx.info(`login attempt for username ${pyRepr(ctx.user)}`);
    const pw = request.password;
    if (pw.state !== 'ok' || pw.value === '') {
      ctx.event('Primary authentication', 'Error', Msg.badPassword);
      return reject(Msg.badPassword);
    }
    const primary = { status: 'accept', message: 'Ignoring primary credentials', attributes: [] } as const;
    return duoStep(ctx, primary, { factor: pw.value, groupsClass: true });
  }
}
