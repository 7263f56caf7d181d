/**
 * `[radius_server_duo_only]` (spec §5.9): no primary auth; the whole PAP password is the factor or
 * passcode (`push`, `phone2`, `123456`…); preauth then auth; on Accept, a preauth `groups` list
 * adds `Class = OU=<first group>;`.
 */
import { Attr, firstValue } from '../radius/dictionary.js';
import type { Outcome, RadiusHandler, RadiusRequest } from '../radius/types.js';
import { reject, RequestContext, type SectionDeps } from './context.js';
import { duoStep } from './duo-step.js';
import { Msg } from './messages.js';
import { papPrologue } from './prologue.js';

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
    const pw = papPrologue(ctx);
    if (typeof pw !== 'string') return pw;
    const primary = { status: 'accept', message: 'Ignoring primary credentials', attributes: [] } as const;
    return duoStep(ctx, primary, { factor: pw, groupsClass: true });
  }
}
