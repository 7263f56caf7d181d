/**
 * The guard's settings: the `user_*` and `nas_*` options of one `radius_server_*` section
 * (src/config/sections/radius-server.ts, BRUTE_FORCE_OPTIONS). Every limit is 0 = off.
 */
import { BRUTE_FORCE_OPTIONS } from '../config/sections/radius-server.js';
import type { ServerSectionBase } from '../config/types.js';

/** The `user_*` / `nas_*` fields (their docs are on ServerSectionBase in src/config/types.ts). */
type GuardField =
  | 'userBackoffThreshold' | 'userBackoffFactor' | 'userBackoffMaxSeconds' | 'userTriesBeforeLockout'
  | 'userLockoutMinutes' | 'userFailureWindowSeconds' | 'userMaxPushesPerWindow' | 'userPushWindowSeconds'
  | 'userTableSize' | 'nasRateLimit' | 'nasRateBurst' | 'nasMaxPending';

/** Limits of one server section (seconds and counts as in the config; every limit 0 = off). */
export type GuardSettings = Pick<ServerSectionBase, GuardField>;

/**
 * Every limit off, with the documented defaults for the rest (tests start from this) — read from
 * the option table, the only place defaults live.
 */
export const GUARD_OFF: GuardSettings = Object.freeze(
  Object.fromEntries(BRUTE_FORCE_OPTIONS.map((o) => [o.field, o.default])),
) as unknown as GuardSettings;

/** The guard settings of a server section. */
export function guardSettingsOf(section: ServerSectionBase): GuardSettings {
  return Object.fromEntries(BRUTE_FORCE_OPTIONS.map((o) => [o.field, section[o.field as GuardField]])) as unknown as GuardSettings;
}

/** True when any per-user limit is on. */
export function userGuardEnabled(s: GuardSettings): boolean {
  return s.userBackoffThreshold > 0 || s.userTriesBeforeLockout > 0 || s.userMaxPushesPerWindow > 0;
}

/** True when any per-NAS limit is on. */
export function nasGuardEnabled(s: GuardSettings): boolean {
  return s.nasRateLimit > 0 || s.nasMaxPending > 0;
}
