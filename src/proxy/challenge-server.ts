/**
 * `[radius_server_challenge]` (spec §5.9): primary with the whole password (no concat), preauth,
 * then an Access-Challenge carrying the factor menu; the answer (`1`, `push`, a passcode…) goes to
 * Duo auth. `sms…` answers re-issue the same menu after Duo sends codes. Enrollment gets a
 * challenge whose every answer is refused (or a plain reject with `enroll_challenge=false`).
 */
import type { PreauthResult } from '../duo/types.js';
import { Attr, firstValue } from '../radius/dictionary.js';
import type { Outcome, RadiusHandler, RadiusRequest } from '../radius/types.js';
import { accept, reject, RequestContext, type AcceptedPrimary, type ChallengeData, type SectionDeps } from './context.js';
import { authIpaddr, preauthIpaddr } from './decide.js';
import { duoFailure } from './duo-step.js';
import { Msg, pyRepr } from './messages.js';
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
    const r = await runPrimary(ctx, pw.value);
    if (r.status !== 'accept') return reject(r.status === 'challenge' ? Msg.unexpectedPacket : r.message);
    return this.menu(ctx, r);
  }

  private async menu(ctx: RequestContext, primary: AcceptedPrimary): Promise<Outcome> {
    const { policy, duo } = this.deps;
    const user = ctx.user ?? '';
    if (policy.exemptUsernames.includes(user)) {
      ctx.event('Secondary authentication', 'Allow', Msg.exempt);
      return accept(Msg.exempt, primary.attributes);
    }
    let pre: PreauthResult;
    try {
      pre = await duo.preauth({ user, ipaddr: preauthIpaddr(ctx.clientIp), failmode: policy.failmode }, ctx.signal);
    } catch (err) {
      return duoFailure(ctx, err, 'preauth', primary);
    }
    ctx.info(`Got preauth result for: '${pre.result}'`);
    if (pre.result === 'allow') {
      ctx.event('Secondary authentication', 'Allow', pre.status);
      return accept(pre.status, primary.attributes);
    }
    if (pre.result === 'deny') {
      ctx.event('Secondary authentication', 'Reject', pre.status);
      return reject(pre.status);
    }
    if (pre.result === 'enroll') {
      ctx.event('Secondary authentication', 'Reject', Msg.enrolled);
      if (!this.opts.enrollChallenge) return reject(pre.status);
      return this.challenge(ctx, { kind: 'enroll' }, pre.status);
    }
    if (pre.result !== 'auth') return reject(pre.status);
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
