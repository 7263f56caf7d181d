/**
 * `[radius_server_auto]` (spec §5.4): challenge answers (A), username (B), routing by
 * authentication type (C), PAP with concat (D), EAP relay (E, eap-relay.ts), Duo (F), passcode
 * answers (G), MS-CHAPv2 password change (H, mschap-cpw.ts) and login (I, mschap.ts).
 * One async function per request; branch decisions live in decide.ts.
 */
import { Attr, firstValue } from '../radius/dictionary.js';
import type { Outcome, RadiusHandler, RadiusRequest } from '../radius/types.js';
import { reject, RequestContext, type ChallengeData, type SectionDeps } from './context.js';
import { duoStep } from './duo-step.js';
import { eapRelay } from './eap-relay.js';
import { Msg } from './messages.js';
import { mschapLogin, mschapPasscodeAnswer } from './mschap.js';
import { hasAttribute, mschapError691, MSCHAP_REQUEST_ATTRS } from './mschap-attributes.js';
import { mschapPasswordChange } from './mschap-cpw.js';
import { papPrimary, runPrimary } from './primary-step.js';
import { checkUserName, papPassword } from './prologue.js';
import type { PrimaryResult } from '../primary/types.js';

export { hasAttribute, mschapError691 } from './mschap-attributes.js';

/** The `[radius_server_auto]` request handler. */
export class AutoServer implements RadiusHandler {
  constructor(private readonly deps: SectionDeps) {}

  async handle(request: RadiusRequest, signal: AbortSignal): Promise<Outcome> {
    const ctx = new RequestContext(this.deps, request, signal);
    const state = firstValue(request.attributes, Attr.State);
    if (state !== undefined) return this.challengeAnswer(ctx, state);
    const mschap = hasAttribute(request.attributes, MSCHAP_REQUEST_ATTRS);
    const noUser = checkUserName(ctx, mschap ? [mschapError691()] : []);
    if (noUser) return noUser;
    if (firstValue(request.attributes, Attr.EapMessage) !== undefined) return eapRelay(ctx);
    if (hasAttribute(request.attributes, ['MS-CHAP2-CPW'])) return mschapPasswordChange(ctx);
    if (mschap) return mschapLogin(ctx);
    return this.pap(ctx);
  }

  /** D: PAP, then F. */
  private async pap(ctx: RequestContext): Promise<Outcome> {
    const pw = papPassword(ctx);
    if (typeof pw !== 'string') return pw;
    const { result, factor } = await papPrimary(ctx, pw);
    return this.afterPrimary(ctx, result, factor);
  }

  private afterPrimary(ctx: RequestContext, result: PrimaryResult, factor: string | undefined): Promise<Outcome> | Outcome {
    switch (result.status) {
      case 'accept':
        return duoStep(ctx, result, { factor });
      case 'challenge':
        return this.relayChallenge(ctx, result, factor);
      default:
        return reject(result.message);
    }
  }

  /** Our extension: relay an upstream RADIUS Access-Challenge (its own OTP) to the NAS. */
  private relayChallenge(ctx: RequestContext, r: Extract<PrimaryResult, { status: 'challenge' }>, factor: string | undefined): Outcome {
    const req = ctx.request;
    const data: ChallengeData = { kind: 'upstream', upstreamState: r.state, factor };
    const state = this.deps.challenges.issue(req.source.address, ctx.user ?? '', req.identifier, data);
    ctx.info('Sending authentication challenge packet');
    const attrs = r.attributes.filter((a) => a.type !== Attr.State && a.type !== Attr.ReplyMessage);
    return { kind: 'challenge', state, replyMessage: r.message, attributes: attrs };
  }

  /** A: a request carrying State answers one of our challenges (or is rejected). */
  private async challengeAnswer(ctx: RequestContext, state: Buffer): Promise<Outcome> {
    const found = this.deps.challenges.take(state, ctx.request.source.address, ctx.user);
    if (!found.ok) {
      ctx.event('Unknown', 'Reject', found.message);
      ctx.info(found.message);
      return reject(Msg.unknownChallenge);
    }
    ctx.info(`Valid response to challenge issued at id ${found.challenge.identifier}`);
    const data = found.challenge.data;
    if (data.kind === 'eap') return eapRelay(ctx, data.upstreamState); // E: the next EAP round, no password
    const pw = ctx.request.password;
    if (pw.state !== 'ok' || pw.value === '') {
      ctx.event(data.kind === 'upstream' ? 'Primary authentication' : 'Secondary authentication', 'Error', Msg.badPassword);
      return reject(Msg.badPassword);
    }
    switch (data.kind) {
      case 'passcode': // G: preauth again, then auth with the passcode
        return duoStep(ctx, data.primary, { factor: pw.value });
      case 'upstream':
        return this.afterPrimary(ctx, await runPrimary(ctx, pw.value, data.upstreamState), data.factor);
      case 'mschap': // H / I quirk: Duo auth with the passcode, then the original MS-CHAPv2 request
        return mschapPasscodeAnswer(ctx, data.request, pw.value);
      default:
        ctx.event('Unknown', 'Reject', `Response to AccessChallenge of another kind: ${data.kind}`);
        return reject(Msg.unknownChallenge);
    }
  }
}
