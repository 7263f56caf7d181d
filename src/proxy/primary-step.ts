/**
 * Primary authentication as the server sections run it (spec §5.4 D and the "primary auth
 * wrapper"): concat splitting with the whole-password retry, Duo's log lines and auth events.
 */
import type { PrimaryResult } from '../primary/types.js';
import type { RequestContext } from './context.js';
import { splitConcat } from './decide.js';
import { Msg } from './messages.js';

/** Runs the section's client once, logging and writing the primary auth event. */
export async function runPrimary(ctx: RequestContext, password: string | undefined, upstreamState?: Buffer): Promise<PrimaryResult> {
  const primary = ctx.deps.primary;
  if (!primary) return { status: 'accept', message: 'Ignoring primary credentials', attributes: [] };
  const guard = ctx.deps.guard;
  const note = (text: string): void => ctx.info(text);
  // Our extension (src/guard): locked users are refused before the directory sees them.
  const refused = await guard?.beforePrimary(ctx.request, ctx.user, ctx.signal, note);
  if (refused) {
    if (!refused.quiet) ctx.event('Primary authentication', 'Reject', refused.replyMessage);
    return { status: 'reject', message: refused.replyMessage, attributes: [] };
  }
  let r: PrimaryResult;
  try {
    r = await primary.authenticate(
      { username: ctx.user ?? '', password, request: ctx.request, passThrough: ctx.passThrough(), clientIp: ctx.clientIp, upstreamState },
      ctx.signal,
    );
  } catch (err) {
    r = { status: 'unavailable', message: err instanceof Error ? err.message : String(err), cause: err };
  }
  guard?.afterPrimary(ctx.request, ctx.user, r.status, note);
  switch (r.status) {
    case 'unavailable': {
      const text = Msg.primaryError + r.message;
      ctx.info(text);
      ctx.event('Primary authentication', 'Error', text);
      return { status: 'unavailable', message: text, cause: r.cause };
    }
    case 'reject':
      ctx.info(`${Msg.primaryRejected}${r.message}`);
      ctx.event('Primary authentication', 'Reject', Msg.primaryRejected + r.message);
      return r;
    case 'accept':
      ctx.info(`${Msg.primaryOk}${r.message}`);
      ctx.event('Primary authentication', 'Allow', Msg.primaryOk + r.message);
      return r;
    case 'challenge':
      ctx.info('Primary authentication server sent a challenge; relaying it to the client');
      return r;
  }
}

/** The result of PAP primary auth: the primary result and the typed factor (if the split won). */
export interface PapPrimary {
  readonly result: PrimaryResult;
  readonly factor: string | undefined;
}

/**
 * Spec §5.4 D.2–D.3: try `password<delim>factor` first when concat is on; if that was not tried
 * or did not succeed, run primary again with the whole password and forget the factor.
 */
export async function papPrimary(ctx: RequestContext, password: string): Promise<PapPrimary> {
  const p = ctx.deps.policy;
  const split = p.allowConcat ? splitConcat(password, p.concat) : undefined;
  if (split) {
    const r = await runPrimary(ctx, split.password);
    if (r.status === 'accept' || r.status === 'challenge') return { result: r, factor: split.factor };
  }
  return { result: await runPrimary(ctx, password), factor: undefined };
}
