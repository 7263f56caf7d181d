/**
 * The guard's options through the real config loader: defaults keep every limit off (no guard
 * is built, Duo's behaviour), values reach the typed section and the guard settings, and bad
 * values are start-up errors with the loader's messages.
 */
import { describe, expect, it } from 'vitest';
import { ConfigInvalidError } from '../../src/config/issues.js';
import { parseConfig } from '../../src/config/load.js';
import { buildGuard, guardSettingsOf, GUARD_OFF } from '../../src/guard/index.js';
import { memoryLogger } from '../../src/log/logger.js';

const config = (extra: string): string => `[duo_only_client]

[radius_server_auto]
ikey=DIXXXXXXXXXXXXXXXXXX
skey=abcdefghijABCDEFGHIJ0123456789klmnopqrst
api_host=api-xxxxxxxx.duosecurity.com
radius_ip_1=127.0.0.1
radius_secret_1=s3cret
${extra}
`;

describe('user_* / nas_* options', () => {
  it('default: every limit off, so no guard is built', () => {
    const c = parseConfig(config(''), 'g.cfg');
    expect(guardSettingsOf(c.servers[0]!)).toEqual(GUARD_OFF);
    expect(buildGuard(guardSettingsOf(c.servers[0]!), memoryLogger().log)).toBeUndefined();
  });

  it('values reach the typed section and the guard', () => {
    const c = parseConfig(config(`user_backoff_threshold=2
user_backoff_factor=3
user_backoff_max_seconds=12
user_tries_before_lockout=6
user_lockout_minutes=20
user_failure_window_seconds=600
user_max_pushes_per_window=4
user_push_window_seconds=120
nas_rate_limit=50
nas_rate_burst=100
nas_max_pending=200
user_table_size=5000`), 'g.cfg');
    expect(guardSettingsOf(c.servers[0]!)).toEqual({
      userBackoffThreshold: 2, userBackoffFactor: 3, userBackoffMaxSeconds: 12, userTriesBeforeLockout: 6, userLockoutMinutes: 20,
      userFailureWindowSeconds: 600, userMaxPushesPerWindow: 4, userPushWindowSeconds: 120, userTableSize: 5000,
      nasRateLimit: 50, nasRateBurst: 100, nasMaxPending: 200,
    });
    const guard = buildGuard(guardSettingsOf(c.servers[0]!), memoryLogger().log);
    expect(guard?.nas).toBeDefined();
    expect(guard?.userTables).toBeDefined();
  });

  it.each([
    ['user_tries_before_lockout=-1'],
    ['nas_rate_limit=fast'],
    ['user_lockout_minutes=0'],
    ['user_table_size=0'],
    ['user_push_window_seconds=1.5'],
  ])('%s is a start-up error naming the option', (line) => {
    const key = line.split('=')[0]!;
    let err: unknown;
    try {
      parseConfig(config(line), 'g.cfg');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect((err as ConfigInvalidError).issues.some((i) => i.severity === 'error' && i.option === key)).toBe(true);
  });
});
