/**
 * Brute-force and abuse protection (our extension; every limit off by default): per-user back-off
 * and lockout, a per-user push cap, per-NAS rate and pending caps. Built per server section by
 * src/server/build.ts from the `user_*` / `nas_*` options.
 */
export { systemClock, type GuardClock } from './clock.js';
export { GuardMsg } from './messages.js';
export { NAS_DROP, NasGuard, type NasCounters } from './nas-guard.js';
export { isOutOfBandFactor, SectionGuard, type GuardCounters, type GuardNote, type GuardRefusal, type SectionGuardOptions } from './section-guard.js';
export { GUARD_OFF, guardSettingsOf, nasGuardEnabled, userGuardEnabled, type GuardSettings } from './settings.js';
export { userKey, UserGuard, type UserAdmission } from './user-guard.js';

import type { Logger } from '../log/logger.js';
import type { GuardClock } from './clock.js';
import { SectionGuard } from './section-guard.js';
import { nasGuardEnabled, userGuardEnabled, type GuardSettings } from './settings.js';

/** A guard for a section, or undefined when every limit is off (Duo's behaviour, no overhead). */
export function buildGuard(settings: GuardSettings, log: Logger, clock?: GuardClock): SectionGuard | undefined {
  if (!userGuardEnabled(settings) && !nasGuardEnabled(settings)) return undefined;
  return new SectionGuard(settings, clock ? { log, clock } : { log });
}
