/** Passcodes of the simulated device: HOTP/TOTP against the RFC vectors, and the rotation window. */
import { describe, expect, it } from 'vitest';
import { checkTotp, currentPasscode, hotp, PASSCODE_STEP_MS, sameText, smsPasscodes } from '../../src/simulator/passcodes.js';
import { SimulatorState } from '../../src/simulator/state.js';

const RFC4226_SECRET = Buffer.from('12345678901234567890', 'ascii');

describe('passcodes', () => {
  it('computes the HOTP values of RFC 4226 Appendix D', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, i) => hotp(RFC4226_SECRET, i))).toEqual(expected);
  });

  it('matches RFC 6238 Appendix B (SHA1, last 6 digits) at T = 59 s and 1111111109 s', () => {
    expect(currentPasscode(RFC4226_SECRET, 59_000).code).toBe('287082');
    expect(currentPasscode(RFC4226_SECRET, 1_111_111_109_000).code).toBe('081804');
  });

  it('accepts the current code and the previous one, nothing older', () => {
    const t = 1_700_000_000_000;
    const { code, expiresAt } = currentPasscode(RFC4226_SECRET, t);
    expect(expiresAt % PASSCODE_STEP_MS).toBe(0);
    expect(checkTotp(RFC4226_SECRET, code, t)).toBe(true);
    expect(checkTotp(RFC4226_SECRET, code, t + PASSCODE_STEP_MS)).toBe(true);
    expect(checkTotp(RFC4226_SECRET, code, t + 2 * PASSCODE_STEP_MS)).toBe(false);
    expect(checkTotp(RFC4226_SECRET, `${code}0`, t)).toBe(false);
  });

  it('makes 7-digit SMS codes and compares texts of different lengths safely', () => {
    expect(smsPasscodes()).toEqual([expect.stringMatching(/^\d{7}$/), expect.stringMatching(/^\d{7}$/), expect.stringMatching(/^\d{7}$/)]);
    expect(sameText('123', '1234')).toBe(false);
    expect(sameText('1234', '1234')).toBe(true);
  });
});

describe('SimulatorState', () => {
  it('enrolls a user once and keeps at most maxUsers, dropping the least recently seen', () => {
    const s = new SimulatorState({ maxUsers: 2 });
    const a = s.user('a');
    expect(s.user('a')).toBe(a);
    s.user('b');
    s.user('a');
    s.user('c');
    expect(s.snapshot().users.map((u) => u.user).sort()).toEqual(['a', 'c']);
  });

  it('refuses a push beyond maxPending and cancels every push on close', async () => {
    const s = new SimulatorState({ maxPending: 1 });
    const first = s.startPush('a', 'push', '0.0.0.0');
    expect(first).toBeDefined();
    expect(s.startPush('b', 'push', '0.0.0.0')).toBeUndefined();
    s.close();
    expect(await first?.verdict).toBe('cancelled');
    expect(s.snapshot().pending).toEqual([]);
  });
});
