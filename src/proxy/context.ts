/**
 * What every server-section handler shares: the section's policy (plain data built from the
 * config by src/server/build.ts), its backends, and a per-request context that logs in Duo's
 * words and writes auth events.
 */
import type { SecondFactor } from '../duo/types.js';
import type { Logger } from '../log/logger.js';
import type { PrimaryAuthenticator, PrimaryResult } from '../primary/types.js';
import { attributeValues, selectAttributes, type AttributeRef } from '../radius/dictionary.js';
import { requestLabel } from '../radius/request.js';
import type { Outcome, RadiusAttribute, RadiusRequest } from '../radius/types.js';
import type { AuthEventSink, AuthStage, AuthStatus } from './auth-events.js';
import type { ChallengeStore } from './challenge-store.js';
import type { SectionGuard } from '../guard/section-guard.js';
import type { ConcatOptions, FactorName } from './decide.js';

/** The options of one `radius_server_*` section that the pipeline reads. */
export interface SectionPolicy {
  /** Lower-cased section name. */
  readonly name: string;
  readonly ikey: string;
  readonly failmode: 'safe' | 'secure';
  readonly factors: readonly FactorName[];
  readonly allowConcat: boolean;
  readonly concat: ConcatOptions;
  /** `exempt_username_N`, exact and case-sensitive. */
  readonly exemptUsernames: readonly string[];
  /** The attribute holding the end-user IP (`client_ip_attr`). */
  readonly clientIpAttr: AttributeRef;
  /** Server-side pass-through: request attributes copied upstream. */
  readonly passThroughAll: boolean;
  readonly passThroughAttrs: readonly AttributeRef[];
  /** `authproxy --primary-only`: every Duo call fails open under `safe`. */
  readonly primaryOnly: boolean;
}

/** What a challenge remembers (all server types). */
export type ChallengeData =
  | { readonly kind: 'passcode'; readonly primary: AcceptedPrimary }
  | { readonly kind: 'upstream'; readonly upstreamState: Buffer; readonly factor: string | undefined }
  | { readonly kind: 'menu'; readonly primary: AcceptedPrimary; readonly factors: Readonly<Record<string, string>>; readonly prompt: string }
  | { readonly kind: 'enroll' }
  /** An EAP conversation relayed upstream (spec §5.4 E): the upstream's State the NAS's next round must carry. */
  | { readonly kind: 'eap'; readonly upstreamState: Buffer }
  /** `Enter passcode:` for MS-CHAPv2 (spec §5.4 H, I quirk): the request to forward after Duo allows. */
  | { readonly kind: 'mschap'; readonly request: RadiusRequest };

/** A successful primary result. */
export type AcceptedPrimary = Extract<PrimaryResult, { status: 'accept' }>;

/** Backends and sinks of one section. */
export interface SectionDeps {
  readonly policy: SectionPolicy;
  readonly primary: PrimaryAuthenticator | undefined;
  readonly duo: SecondFactor;
  readonly log: Logger;
  readonly events: AuthEventSink;
  readonly challenges: ChallengeStore<ChallengeData>;
  /** Brute-force / push-bombing protection (src/guard); absent when every limit is off. */
  readonly guard?: SectionGuard | undefined;
}

/** Per-request context. */
export class RequestContext {
  readonly label: string;
  readonly user: string | undefined;
  readonly clientIp: string | undefined;

  constructor(
    readonly deps: SectionDeps,
    readonly request: RadiusRequest,
    readonly signal: AbortSignal,
  ) {
    this.user = request.userName;
    this.label = requestLabel(request.source, request.userName, request.identifier);
    const ip = attributeValues(request.attributes, deps.policy.clientIpAttr)[0];
    this.clientIp = ip === undefined ? undefined : ip.toString('utf8');
  }

  /** Logs `(<src>, <user>, <id>): <text>`. */
  info(text: string): void {
    this.deps.log.info(`${this.label}: ${text}`);
  }

  /** Writes one auth event (spec §7.2). */
  event(stage: AuthStage, status: AuthStatus, msg: string, factor: string | null = null): void {
    this.deps.events.write({
      msg,
      username: this.user ?? null,
      auth_stage: stage,
      status,
      client_ip: this.clientIp ?? null,
      server_section: this.deps.policy.name,
      server_section_ikey: this.deps.policy.ikey,
      factor,
    });
  }

  /** Server-side pass-through attributes for the upstream request (spec §5.4 primary wrapper). */
  passThrough(): RadiusAttribute[] {
    const p = this.deps.policy;
    if (p.passThroughAll) return [...this.request.attributes];
    return p.passThroughAttrs.flatMap((ref) => selectAttributes(this.request.attributes, ref));
  }
}

/** An Access-Accept outcome. */
export function accept(message: string | undefined, attributes: readonly RadiusAttribute[] = []): Outcome {
  return { kind: 'accept', replyMessage: message, attributes };
}

/** An Access-Reject outcome. */
export function reject(message: string | undefined, attributes: readonly RadiusAttribute[] = []): Outcome {
  return { kind: 'reject', replyMessage: message, attributes };
}
