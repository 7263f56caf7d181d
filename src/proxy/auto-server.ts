/**
 * `[radius_server_auto]` (spec §5.4): challenge answers (A), username (B), routing by
 * authentication type (C), PAP with concat (D), Duo (F), passcode answers (G), MS-CHAPv2 (I).
 * One async function per request; branch decisions live in decide.ts.
 */
import { Attr, attributeValues, firstValue, resolveAttribute, vendorAttribute } from '../radius/dictionary.js';
import type { Outcome, RadiusAttribute, RadiusHandler, RadiusRequest } from '../radius/types.js';
import { reject, RequestContext, type ChallengeData, type SectionDeps } from './context.js';
import { duoStep } from './duo-step.js';
import { MSCHAP_ERROR_691, Msg, pyRepr } from './messages.js';
import { papPrimary, runPrimary } from './primary-step.js';
import type { PrimaryResult } from '../primary/types.js';

const MSCHAP_REQUEST_ATTRS = ['MS-CHAP-Challenge', 'MS-CHAP2-Response', 'MS-CHAP-NT-Enc-PW'];

/** True when `attrs` carry any of the named (vendor) attributes. */
export function hasAttribute(attrs: readonly RadiusAttribute[], names: readonly string[]): boolean {
  return names.some((n) => {
    const ref = resolveAttribute(n);
    return ref !== undefined && attributeValues(attrs, ref).length > 0;
  });
}

/** `MS-CHAP-Error = "\x00E=691 R=0 V=3"` as a Microsoft vendor attribute. */
export function mschapError691(): RadiusAttribute {
  const ref = resolveAttribute('MS-CHAP-Error')!;
  return vendorAttribute(ref.vendorId!, ref.vendorType!, Buffer.from(MSCHAP_ERROR_691, 'latin1'));
}

/** The `[radius_server_auto]` request handler. */
export class AutoServer implements RadiusHandler {
  constructor(private readonly deps: SectionDeps) {}

  async handle(request: RadiusRequest, signal: AbortSignal): Promise<Outcome> {
    const ctx = new RequestContext(this.deps, request, signal);
    const state = firstValue(request.attributes, Attr.State);
    if (state !== undefined) return this.challengeAnswer(ctx, state);
    if (ctx.user === undefined) {
      ctx.event('Primary authentication', 'Error', Msg.noUsername);
      const mschap = hasAttribute(request.attributes, MSCHAP_REQUEST_ATTRS);
      return reject(Msg.noUsername, mschap ? [mschapError691()] : []);
    }
    ctx.info(`login attempt for username ${pyRepr(ctx.user)}`);
    if (firstValue(request.attributes, Attr.EapMessage) !== undefined) return this.eap(ctx);
    if (hasAttribute(request.attributes, ['MS-CHAP2-CPW'])) return this.unsupported(ctx, 'MS-CHAPv2 password change');
    if (hasAttribute(request.attributes, MSCHAP_REQUEST_ATTRS)) return this.mschap(ctx);
    return this.pap(ctx);
  }

  /** D: PAP, then F. */
  private async pap(ctx: RequestContext): Promise<Outcome> {
    const pw = ctx.request.password;
    if (pw.state !== 'ok' || pw.value === '') {
      ctx.event('Primary authentication', 'Error', Msg.badPassword);
      return reject(Msg.badPassword);
    }
    const { result, factor } = await papPrimary(ctx, pw.value);
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
      default:
        ctx.event('Unknown', 'Reject', `Response to AccessChallenge of another kind: ${data.kind}`);
        return reject(Msg.unknownChallenge);
    }
  }

  /** I: MS-CHAPv2 — the upstream checks the response; then F (Duo rejects get MS-CHAP-Error 691). */
  private async mschap(ctx: RequestContext): Promise<Outcome> {
    if (this.deps.policy.allowConcat) ctx.info('MS-CHAPv2 login: a factor cannot be appended to the password with MS-CHAPv2');
    const r = await runPrimary(ctx, undefined);
    if (r.status === 'accept') {
      const out = await duoStep(ctx, r, { factor: undefined });
      if (out.kind === 'reject') return reject(out.replyMessage, [...(out.attributes ?? []), mschapError691()]);
      return out;
    }
    if (r.status === 'challenge') return reject(Msg.unexpectedPacket, [mschapError691()]);
    const attrs = r.status === 'reject' ? r.attributes : [];
    const hasError = hasAttribute(attrs, ['MS-CHAP-Error']);
    return reject(r.message, hasError ? attrs : [...attrs, mschapError691()]);
  }

  /** E: EAP needs a RADIUS client that can relay whole packets. */
  private eap(ctx: RequestContext): Outcome {
    if (this.deps.primary?.kind !== 'radius_client') {
      ctx.event('Primary authentication', 'Error', Msg.cannotProxy);
      return reject(Msg.cannotProxy);
    }
    return this.unsupported(ctx, 'EAP relay');
  }

  private unsupported(ctx: RequestContext, what: string): Outcome {
    const text = `${what} is not supported by this proxy`;
    ctx.info(text);
    ctx.event('Primary authentication', 'Error', text);
    return reject(Msg.unexpectedPacket);
  }
}
