/**
 * Reply-Messages of the guard's refusals (our extension: Duo's proxy has no such protection, so
 * these texts are ours). They say what happened and what to do, without naming limits.
 */
export const GuardMsg = {
  locked: 'Too many failed login attempts: account temporarily locked, try again later',
  busy: 'Too many login attempts in progress, try again later',
  tooManyPushes: 'Too many Duo login requests for this user, try again later',
} as const;
