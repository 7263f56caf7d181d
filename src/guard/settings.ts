/**
 * The guard's settings: the `user_*` and `nas_*` options of one `radius_server_*` section
 * (src/config/sections/radius-server.ts, BRUTE_FORCE_OPTIONS). Every limit is 0 = off.
 */
import type { ServerSectionBase } from '../config/types.js';

/** Limits of one server section (seconds and counts as in the config). */
export interface GuardSettings {
  /** Failed primary logins after which attempts are delayed; 0 = off. */
  readonly userBackoffThreshold: number;
  /** Seconds per attempt beyond the threshold. */
  readonly userBackoffFactor: number;
  /** Longest delay, seconds. */
  readonly userBackoffMaxSeconds: number;
  /** Failed primary logins that lock the user; 0 = off. */
  readonly userTriesBeforeLockout: number;
  readonly userLockoutMinutes: number;
  /** Failures are counted in a window that starts at the first one. */
  readonly userFailureWindowSeconds: number;
  /** Out-of-band Duo requests (push, phone, SMS) per user per window; 0 = off. */
  readonly userMaxPushesPerWindow: number;
  readonly userPushWindowSeconds: number;
  /** User names remembered (LRU). */
  readonly userTableSize: number;
  /** New Access-Requests per second per NAS address; 0 = off. */
  readonly nasRateLimit: number;
  /** Token-bucket size; 0 = nasRateLimit. */
  readonly nasRateBurst: number;
  /** Logins in progress per NAS address; 0 = off. */
  readonly nasMaxPending: number;
}

/** Every limit off, with the documented defaults for the rest (tests start from this). */
export const GUARD_OFF: GuardSettings = {
  userBackoffThreshold: 0,
  userBackoffFactor: 5,
  userBackoffMaxSeconds: 30,
  userTriesBeforeLockout: 0,
  userLockoutMinutes: 15,
  userFailureWindowSeconds: 900,
  userMaxPushesPerWindow: 0,
  userPushWindowSeconds: 300,
  userTableSize: 10_000,
  nasRateLimit: 0,
  nasRateBurst: 0,
  nasMaxPending: 0,
};

/** The guard settings of a server section. */
export function guardSettingsOf(section: ServerSectionBase): GuardSettings {
  const s: Record<keyof GuardSettings, number> = { ...GUARD_OFF };
  for (const k of Object.keys(GUARD_OFF) as (keyof GuardSettings)[]) s[k] = section[k];
  return s;
}

/** True when any per-user limit is on. */
export function userGuardEnabled(s: GuardSettings): boolean {
  return s.userBackoffThreshold > 0 || s.userTriesBeforeLockout > 0 || s.userMaxPushesPerWindow > 0;
}

/** True when any per-NAS limit is on. */
export function nasGuardEnabled(s: GuardSettings): boolean {
  return s.nasRateLimit > 0 || s.nasMaxPending > 0;
}
