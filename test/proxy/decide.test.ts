import { describe, expect, it } from 'vitest';
import { applyFailmode, authIpaddr, factorForRequest, preauthIpaddr, splitConcat, type FactorName } from '../../src/proxy/decide.js';
import type { DuoFailure } from '../../src/duo/types.js';

describe('splitConcat (spec §5.4 D.2)', () => {
  it.each([
    // password, delimiter, length, expected
    ['good,push', ',', 0, { password: 'good', factor: 'push' }],
    ['p,a,ss,push', ',', 0, { password: 'p,a,ss', factor: 'push' }],
    ['good,123456', ',', 0, { password: 'good', factor: '123456' }],
    ['alicepw,', ',', 0, { password: 'alicepw', factor: undefined }],
    ['nodelim', ',', 0, undefined],
    ['pw::phone2', '::', 0, { password: 'pw', factor: 'phone2' }],
    ['abcdpush', ',', 4, { password: 'abcd', factor: 'push' }],
    ['abcd,push', ',', 4, { password: 'abcd', factor: 'push' }],
    ['abcd::push', '::', 4, { password: 'abcd', factor: ':push' }], // only one delimiter character is dropped
    ['abcd', ',', 4, undefined],
    ['abc', ',', 4, undefined],
    ['abcd,', ',', 4, { password: 'abcd', factor: undefined }],
  ] as const)('%j with %j / %i', (pw, delimiter, len, expected) => {
    expect(splitConcat(pw, { delimiter, delimitedPasswordLength: len })).toEqual(expected);
  });
});

describe('factorForRequest (spec §5.5)', () => {
  const pre = (factors: Record<string, string>) => ({ result: 'auth' as const, status: 's', prompt: 'p', factors });
  const full = pre({ default: 'push1', '1': 'push1', '2': 'phone1', '3': 'sms1' });
  it.each([
    [['auto'], full, 'push1'],
    [['push'], full, 'push'],
    [['phone', 'push'], full, 'phone'],
    [['passcode', 'auto'], full, 'passcode'],
    [['push'], pre({ default: 'phone1', '1': 'phone1' }), undefined],
    [['push', 'passcode'], pre({ default: 'phone1', '1': 'phone1' }), 'passcode'],
    [['auto'], pre({}), undefined],
    [['auto', 'passcode'], pre({}), 'passcode'],
    [['phone'], pre({ default: 'push2', '1': 'push2', '2': ' phone12 ' }), 'phone'],
  ] as Array<[FactorName[], ReturnType<typeof pre>, string | undefined]>)('%j → %s', (factors, p, expected) => {
    expect(factorForRequest(factors, p)).toBe(expected);
  });
});

describe('failmode matrix (spec §5.7, 5.0.0 texts)', () => {
  const OPEN = 'Failmode Safe - Allowed Duo login on preauth failure';
  const PRE = 'Failmode Secure - Denied Duo login on preauth failure';
  const AUTH = 'Denied Duo login on auth failure';
  const TIMEOUT = 'Denied Duo login due to timeout';
  const rows: Array<[DuoFailure, string, string, string, string]> = [
    // failure     preauth/safe preauth/secure auth/safe auth/secure
    ['transport', OPEN, PRE, AUTH, AUTH],
    ['timeout', OPEN, PRE, TIMEOUT, TIMEOUT],
    ['http5xx', OPEN, PRE, OPEN, AUTH],
    ['malformed', OPEN, PRE, OPEN, AUTH],
    ['http4xx', PRE, PRE, AUTH, AUTH],
    ['fail', PRE, PRE, AUTH, AUTH],
    ['local', PRE, PRE, AUTH, AUTH],
  ];
  for (const [failure, ps, pc, as, ac] of rows) {
    it(`${failure}`, () => {
      expect(applyFailmode('safe', failure, 'preauth')).toEqual({ allow: ps === OPEN, message: ps });
      expect(applyFailmode('secure', failure, 'preauth')).toEqual({ allow: false, message: pc });
      expect(applyFailmode('safe', failure, 'auth')).toEqual({ allow: as === OPEN, message: as });
      expect(applyFailmode('secure', failure, 'auth')).toEqual({ allow: false, message: ac });
    });
  }
  it('primary-only mode fails open under safe only', () => {
    expect(applyFailmode('safe', 'http4xx', 'auth', true)).toEqual({ allow: true, message: 'Primary Only Mode - Secondary authentication bypassed' });
    expect(applyFailmode('secure', 'http5xx', 'preauth', true).allow).toBe(false);
  });
});

describe('ipaddr sent to Duo (spec §6.1, §10 item 28)', () => {
  it.each([
    [undefined, '0.0.0.0', '0.0.0.0'],
    ['203.0.113.9', '203.0.113.9', '203.0.113.9'],
    ['00:11:22:33:44:55', '00:11:22:33:44:55', '0.0.0.0'],
    ['2001:db8::1', '2001:db8::1', '2001:db8::1'],
  ])('%s', (ip, pre, auth) => {
    expect(preauthIpaddr(ip)).toBe(pre);
    expect(authIpaddr(ip)).toBe(auth);
  });
});
