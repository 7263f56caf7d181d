/**
 * The Duo second factor after a successful primary (spec §5.4 F, §5.5, §5.7): exempt users,
 * preauth on every login, factor selection or the passcode challenge, auth, and failmode.
 */
import type { DuoFailure, PreauthResult } from '../duo/types.js';
import { Attr } from '../radius/dictionary.js';
import type { Outcome, RadiusAttribute } from '../radius/types.js';
import { accept, reject, type AcceptedPrimary, type RequestContext } from './context.js';
import { applyFailmode, authIpaddr, factorForRequest, preauthIpaddr, type DuoStage } from './decide.js';
import { Msg } from './messages.js';

/** How the section treats the factor. */
export interface DuoStepOptions {
  /** The factor typed by the user (concat, duo_only password, challenge answer); undefined = choose. */
  readonly factor: string | undefined;
  /** Value for the auth event's `factor` field (challenge module only). */
  readonly eventFactor?: string | null;
  /** radius_server_duo_only: add `Class = OU=<first group>;` when preauth returned groups. */
  readonly groupsClass?: boolean;
  /**
   * When factor selection yields `passcode`: the `Enter passcode:` challenge (default); `literal`
   * sends the word `passcode` to Duo (inside EAP, spec §5.4 E); a function builds the answer itself
   * (MS-CHAPv2, spec §5.4 I).
   */
  readonly passcode?: 'literal' | ((primary: AcceptedPrimary) => Outcome);
}

/** Reads the failure class of a Duo client error; anything else is a bug and is rethrown. */
export function duoFailureOf(err: unknown): DuoFailure {
  const f = (err as { failure?: unknown } | null)?.failure;
  if (typeof f === 'string' && ['transport', 'timeout', 'http4xx', 'http5xx', 'fail', 'malformed', 'local'].includes(f)) {
    return f as DuoFailure;
  }
  throw err;
}

/** Spec §5.7: turns a Duo API failure into an answer, with Duo's log lines and auth events. */
export function duoFailure(ctx: RequestContext, err: unknown, stage: DuoStage, primary: AcceptedPrimary): Outcome {
  const failure = duoFailureOf(err);
  ctx.deps.log.error(`Duo ${stage} call failed`, err);
  const d = applyFailmode(ctx.deps.policy.failmode, failure, stage, ctx.deps.policy.primaryOnly);
  if (d.allow) {
    ctx.event('Secondary authentication', 'Allow', d.message);
    return accept(d.message, primary.attributes);
  }
  ctx.event('Secondary authentication', stage === 'preauth' ? 'Reject' : 'Error', d.message);
  return reject(d.message);
}

/** The preauth stage's verdict: a final answer, or Duo's `auth` answer to continue with. */
export type PreauthStep =
  | { readonly done: Outcome }
  | { readonly auth: Extract<PreauthResult, { result: 'auth' }> };

/**
 * Spec §5.4 F.1: exempt users, preauth (on every login), and its allow/deny/enroll answers.
 * `onEnroll` lets [radius_server_challenge] answer enrollment with a challenge instead.
 */
export async function preauthStep(
  ctx: RequestContext,
  primary: AcceptedPrimary,
  opts: DuoStepOptions & { readonly onEnroll?: (status: string) => Outcome },
): Promise<PreauthStep> {
  const { policy, duo } = ctx.deps;
  const user = ctx.user ?? '';
  if (policy.exemptUsernames.includes(user)) {
    ctx.event('Secondary authentication', 'Allow', Msg.exempt);
    return { done: accept(Msg.exempt, primary.attributes) };
  }
  let pre: PreauthResult;
  try {
    pre = await duo.preauth({ user, ipaddr: preauthIpaddr(ctx.clientIp), failmode: policy.failmode }, ctx.signal);
  } catch (err) {
    return { done: duoFailure(ctx, err, 'preauth', primary) };
  }
  ctx.info(`Got preauth result for: '${pre.result}'`);
  const ef = opts.eventFactor ?? null;
  switch (pre.result) {
    case 'allow':
      ctx.event('Secondary authentication', 'Allow', pre.status, ef);
      return { done: accept(pre.status, withGroups(primary.attributes, pre, opts)) };
    case 'deny':
      ctx.event('Secondary authentication', 'Reject', pre.status, ef);
      return { done: reject(pre.status) };
    case 'enroll':
      ctx.event('Secondary authentication', 'Reject', Msg.enrolled, ef);
      return { done: opts.onEnroll ? opts.onEnroll(pre.status) : reject(pre.status) };
    case 'auth':
      return { auth: pre };
  }
}

/** Spec §5.4 F: second factor for a user whose primary auth succeeded. */
export async function duoStep(ctx: RequestContext, primary: AcceptedPrimary, opts: DuoStepOptions): Promise<Outcome> {
  const step = await preauthStep(ctx, primary, opts);
  if ('done' in step) return step.done;
  let factor = opts.factor;
  if (factor === undefined) {
    factor = factorForRequest(ctx.deps.policy.factors, step.auth);
    if (factor === 'passcode' && opts.passcode !== 'literal') return opts.passcode ? opts.passcode(primary) : passcodeChallenge(ctx, primary);
    if (factor === undefined) {
      ctx.event('Secondary authentication', 'Reject', Msg.noFactors, opts.eventFactor ?? null);
      return reject(Msg.noFactors);
    }
  }
  return authStep(ctx, primary, step.auth, factor, opts);
}

/** Spec §5.4 F.3: the auth call and its answer (failmode on errors). */
export async function authStep(ctx: RequestContext, primary: AcceptedPrimary, pre: PreauthResult, factor: string, opts: DuoStepOptions): Promise<Outcome> {
  const ef = opts.eventFactor ?? null;
  // Our extension (src/guard): the per-user push cap refuses before Duo reaches the phone.
  const capped = ctx.deps.guard?.beforeAuth(ctx.user, factor, (text) => ctx.info(text));
  if (capped) {
    ctx.event('Secondary authentication', 'Reject', capped.replyMessage, ef);
    return reject(capped.replyMessage);
  }
  let res;
  try {
    res = await ctx.deps.duo.auth({ user: ctx.user ?? '', factor, ipaddr: authIpaddr(ctx.clientIp) }, ctx.signal);
  } catch (err) {
    return duoFailure(ctx, err, 'auth', primary);
  }
  ctx.info(`Duo authentication returned '${res.result}': '${res.status}'`);
  ctx.deps.guard?.afterAuth(ctx.user, res.result === 'allow');
  if (res.result === 'allow') {
    ctx.event('Secondary authentication', 'Allow', res.status, ef);
    return accept(res.status, withGroups(primary.attributes, pre, opts));
  }
  ctx.event('Secondary authentication', 'Reject', res.status, ef);
  return reject(res.status);
}

/** Spec §5.4 F.2: `Enter passcode:` challenge remembering the primary result. */
function passcodeChallenge(ctx: RequestContext, primary: AcceptedPrimary): Outcome {
  const r = ctx.request;
  const state = ctx.deps.challenges.issue(r.source.address, ctx.user ?? '', r.identifier, { kind: 'passcode', primary });
  ctx.info('Sending authentication challenge packet');
  return { kind: 'challenge', state, replyMessage: Msg.enterPasscode };
}

function withGroups(attrs: readonly RadiusAttribute[], pre: PreauthResult, opts: DuoStepOptions): readonly RadiusAttribute[] {
  const group = opts.groupsClass ? pre.groups?.[0] : undefined;
  if (group === undefined) return attrs;
  return [...attrs, { type: Attr.Class, value: Buffer.from(`OU=${group};`, 'utf8') }];
}
