/**
 * The pure decisions of the 2FA pipeline, tested as tables (test/proxy/decide.test.ts):
 * concat splitting (spec §5.4 D.2, §5.6), factor selection (§5.5), the failmode matrix (§5.7).
 */
import { isFailOpenable } from '../duo/errors.js';
import type { DuoFailure, PreauthResult } from '../duo/types.js';
import { parseNetwork } from '../util/ip.js';
import { Msg } from './messages.js';

/** Admin factor list entries (`factors=`). */
export type FactorName = 'auto' | 'push' | 'phone' | 'passcode';

/** Concat options of a server section. */
export interface ConcatOptions {
  readonly delimiter: string;
  readonly delimitedPasswordLength: number;
}

/** A password split into its primary part and the typed factor (undefined = none). */
export interface ConcatSplit {
  readonly password: string;
  readonly factor: string | undefined;
}

/**
 * Splits `password<delim>factor` (spec §5.4 D.2). Length mode (L > 0): only when longer than L;
 * the factor part loses one leading delimiter character. Delimiter mode: split at the LAST
 * occurrence. An empty factor part is "no factor". Returns undefined when no split is attempted.
 */
export function splitConcat(password: string, opts: ConcatOptions): ConcatSplit | undefined {
  const L = opts.delimitedPasswordLength;
  if (L > 0) {
    const chars = [...password];
    if (chars.length <= L) return undefined;
    let rest = chars.slice(L).join('');
    if (opts.delimiter !== '' && rest.startsWith(opts.delimiter[0]!)) rest = rest.slice(opts.delimiter[0]!.length);
    return { password: chars.slice(0, L).join(''), factor: rest === '' ? undefined : rest };
  }
  if (opts.delimiter === '') return undefined;
  const at = password.lastIndexOf(opts.delimiter);
  if (at < 0) return undefined;
  const factor = password.slice(at + opts.delimiter.length);
  return { password: password.slice(0, at), factor: factor === '' ? undefined : factor };
}

/**
 * Picks the factor for a login with no typed factor (spec §5.5): walk the admin list in order;
 * `auto` yields Duo's default (e.g. `push1`), other entries yield the bare type when the user has
 * it; `passcode` is always available. Undefined = no usable factor.
 */
export function factorForRequest(factors: readonly FactorName[], preauth: Extract<PreauthResult, { result: 'auth' }>): string | undefined {
  const def = preauth.factors['default'];
  if (def === undefined || def === '') return factors.includes('passcode') ? 'passcode' : undefined;
  const capabilities = new Set<string>(['passcode']);
  for (const v of Object.values(preauth.factors)) capabilities.add(v.trim().replace(/^\d+|\d+$/g, ''));
  for (const f of factors) {
    if (f === 'auto') return def;
    if (capabilities.has(f)) return f;
  }
  return undefined;
}

/** Which Duo call failed. */
export type DuoStage = 'preauth' | 'auth';


/** What a Duo API failure turns into under `failmode` (spec §5.7). */
export interface FailmodeDecision {
  readonly allow: boolean;
  readonly message: string;
}

/**
 * The answer to a Duo API failure: fail open only under `safe` and for fail-open-able failures
 * (or in primary-only mode under `safe`); otherwise deny with the stage's 5.0.0 text.
 */
export function applyFailmode(failmode: 'safe' | 'secure', failure: DuoFailure, stage: DuoStage, primaryOnly = false): FailmodeDecision {
  if (failmode === 'safe' && primaryOnly) return { allow: true, message: Msg.primaryOnly };
  if (failmode === 'safe' && isFailOpenable(failure, stage)) return { allow: true, message: Msg.failOpen };
  if (stage === 'preauth') return { allow: false, message: Msg.failClosedPreauth };
  return { allow: false, message: failure === 'timeout' ? Msg.failClosedTimeout : Msg.failClosedAuth };
}

/** The `ipaddr` sent to auth: the client IP when it parses as IP/CIDR/range, else `0.0.0.0` (spec §6.1). */
export function authIpaddr(clientIp: string | undefined): string {
  return clientIp !== undefined && parseNetwork(clientIp) ? clientIp : '0.0.0.0';
}

/** The `ipaddr` sent to preauth: the client IP unvalidated (may be a MAC), or `0.0.0.0`. */
export function preauthIpaddr(clientIp: string | undefined): string {
  return clientIp === undefined || clientIp === '' ? '0.0.0.0' : clientIp;
}
