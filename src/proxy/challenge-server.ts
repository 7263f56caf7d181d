/**
 * `[radius_server_challenge]` (spec §5.9): primary with the whole password (no concat), preauth,
 * then an Access-Challenge carrying the factor menu; the answer (`1`, `push`, a passcode…) goes to
 * Duo auth. `sms…` answers re-issue the same menu after Duo sends codes. Enrollment gets a
 * challenge whose every answer is refused (or a plain reject with `enroll_challenge=false`).
 */
import { Attr, firstValue } from '../radius/dictionary.js';
import type { Outcome, RadiusHandler, RadiusRequest } from '../radius/types.js';
import { accept, reject, RequestContext, type AcceptedPrimary, type ChallengeData, type SectionDeps } from './context.js';
import { authIpaddr } from './decide.js';
import { duoFailure, preauthStep } from './duo-step.js';
import { Msg } from './messages.js';
import { papPrologue } from './prologue.js';
import { runPrimary } from './primary-step.js';
import { challengePrompt, factorFromAnswer, type PromptFormat } from './prompt.js';

/** Options only this section type has. */
export interface ChallengeOptions {
  readonly promptFormat: PromptFormat;
  readonly enrollChallenge: boolean;
}

/** The `[radius_server_challenge]` request handler. */
export class ChallengeServer implements RadiusHandler {
  constructor(
    private readonly deps: SectionDeps,
    private readonly opts: ChallengeOptions,
  ) {}

  async handle(request: RadiusRequest, signal: AbortSignal): Promise<Outcome> {
    const ctx = new RequestContext(this.deps, request, signal);
    const state = firstValue(request.attributes, Attr.State);
    if (state !== undefined) return this.answer(ctx, state);
    const pw = papPrologue(ctx);
    if (typeof pw !== 'string') return pw;
    const r = await runPrimary(ctx, pw);
    if (r.status !== 'accept') return reject(r.status === 'challenge' ? Msg.unexpectedPacket : r.message);
    return this.menu(ctx, r);
  }

  private async menu(ctx: RequestContext, primary: AcceptedPrimary): Promise<Outcome> {
    const onEnroll = (status: string): Outcome =>
      this.opts.enrollChallenge ? this.challenge(ctx, { kind: 'enroll' }, status) : reject(status);
    const step = await preauthStep(ctx, primary, { factor: undefined, onEnroll });
    if ('done' in step) return step.done;
    const pre = step.auth;
    const prompt = challengePrompt(this.opts.promptFormat, pre.prompt, pre.factors);
    return this.challenge(ctx, { kind: 'menu', primary, factors: pre.factors, prompt }, prompt);
  }

  private challenge(ctx: RequestContext, data: ChallengeData, text: string): Outcome {
    const r = ctx.request;
    const state = this.deps.challenges.issue(r.source.address, ctx.user ?? '', r.identifier, data);
    ctx.info('Sending authentication challenge packet');
    return { kind: 'challenge', state, replyMessage: text };
  }

  private async answer(ctx: RequestContext, state: Buffer): Promise<Outcome> {
    const found = this.deps.challenges.take(state, ctx.request.source.address, ctx.user);
    if (!found.ok) {
      ctx.event('Unknown', 'Reject', found.message);
      return reject(Msg.unknownChallenge);
    }
    ctx.info(`Valid response to challenge issued at id ${found.challenge.identifier}`);
    const data = found.challenge.data;
    if (data.kind === 'enroll') {
      ctx.event('Secondary authentication', 'Reject', Msg.completeEnrollment);
      return reject(Msg.completeEnrollment);
    }
    if (data.kind !== 'menu') return reject(Msg.unknownChallenge);
    const pw = ctx.request.password;
    if (pw.state !== 'ok' || pw.value === '') {
      ctx.event('Secondary authentication', 'Error', Msg.badPassword);
      return reject(Msg.badPassword);
    }
    const factor = factorFromAnswer(pw.value, data.factors);
    const isFactorName = /^[a-z]+\d*$/.test(factor);
    const eventFactor = isFactorName ? factor : null;
    let res;
    try {
      res = await this.deps.duo.auth({ user: ctx.user ?? '', factor, ipaddr: authIpaddr(ctx.clientIp) }, ctx.signal);
    } catch (err) {
      return duoFailure(ctx, err, 'auth', data.primary);
    }
    ctx.info(`Duo authentication returned '${res.result}': '${res.status}'`);
    if (/^sms\d*$/.test(factor) && res.result === 'deny') {
      // Duo texted new passcodes: ask again with the same menu (spec §5.9).
      return this.challenge(ctx, data, `${res.status}\n${data.prompt}`.slice(0, 253));
    }
    ctx.event('Secondary authentication', res.result === 'allow' ? 'Allow' : 'Reject', res.status, eventFactor);
    return res.result === 'allow' ? accept(res.status, data.primary.attributes) : reject(res.status);
  }
}
