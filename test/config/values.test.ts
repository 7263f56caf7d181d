import { describe, expect, it } from 'vitest';
import { networkContains, networkSize, parseNetwork } from '../../src/util/ip.js';
import { parseValue, pyBool, pyInt } from '../../src/config/values.js';

describe('Python int() syntax (spec §1.4)', () => {
  it.each([
    ['1812', 1812], [' 1812 ', 1812], ['+5', 5], ['-1', -1], ['1_000', 1000], ['0012', 12], ['\t7\u00a0', 7],
  ])('accepts %j', (text, n) => expect(pyInt(text)).toBe(n));

  it.each(['', ' ', '18x12', '1812 ; x', '1__0', '_1', '1_', '0x10', '1.0', '1e3', '++1', '١٢'])('rejects %j', (text) => {
    expect(pyInt(text)).toBeUndefined();
  });
});

describe('booleans: true/false in any case or any integer; yes/no/on/off rejected', () => {
  it.each([
    ['true', true], ['TRUE', true], ['False', false], ['0', false], ['1', true], ['2', true], ['-1', true], [' 0 ', false],
  ])('%j → %j', (text, b) => expect(pyBool(text)).toBe(b));

  it.each(['yes', 'no', 'on', 'off', 'Y', '', 't'])('rejects %j', (text) => expect(pyBool(text)).toBeUndefined());

  it("keeps Duo's sentence and names yes/no explicitly", () => {
    expect(parseValue('debug', { kind: 'bool' }, 'yes')).toEqual({
      ok: false,
      message: `Invalid value for configuration item: 'debug' must be a boolean value (true or false; 'yes', 'no', 'on' and 'off' are not accepted), got "yes"`,
    });
    expect(parseValue('debug', { kind: 'bool' }, 'maybe')).toEqual({
      ok: false, message: `Invalid value for configuration item: 'debug' must be a boolean value (true or false), got "maybe"`,
    });
  });
});

describe('typed values and their messages', () => {
  const port = { kind: 'int', min: 1, max: 65535 } as const;
  it('gives the range and the value for ints', () => {
    expect(parseValue('port', port, '18x12')).toEqual({
      ok: false, message: `Invalid value for configuration item: 'port' must be an integer 1-65535, got "18x12"`,
    });
    expect(parseValue('port', port, '0')).toMatchObject({ ok: false });
    expect(parseValue('port', port, '65536')).toMatchObject({ ok: false });
    expect(parseValue('retries', { kind: 'int', min: 0 }, '-1')).toEqual({
      ok: false, message: `Invalid value for configuration item: 'retries' must be an integer >= 0, got "-1"`,
    });
  });

  it('never echoes a secret', () => {
    const r = parseValue('x', { kind: 'int', min: 0 }, 'sécret;1', true);
    expect(r).toEqual({ ok: false, message: `Invalid value for configuration item: 'x' must be an integer >= 0, got a value of 8 characters` });
  });

  it('lower-cases case-insensitive enums; keeps case-sensitive ones strict', () => {
    const failmode = { kind: 'enum', values: ['safe', 'secure'] } as const;
    expect(parseValue('failmode', failmode, 'SeCuRe')).toEqual({ ok: true, value: 'secure' });
    expect(parseValue('failmode', failmode, 'open')).toEqual({
      ok: false, message: `Invalid value for configuration item: 'failmode' must be one of 'safe', 'secure', got "open"`,
    });
    const fac = { kind: 'enum', values: ['LOG_USER'], caseSensitive: true } as const;
    expect(parseValue('syslog_facility', fac, 'log_user')).toEqual({
      ok: false, message: `Invalid value for configuration item: 'syslog_facility' must be one of 'LOG_USER' (case-sensitive), got "log_user"`,
    });
  });

  it('parses int enums with int() syntax', () => {
    const t = { kind: 'int-enum', values: [1, 2] } as const;
    expect(parseValue('api_version', t, ' 02 ')).toEqual({ ok: true, value: 2 });
    expect(parseValue('api_version', t, '3')).toEqual({
      ok: false, message: `Invalid value for configuration item: 'api_version' must be one of '1', '2', got "3"`,
    });
  });

  it("parses factors in order with Duo's texts", () => {
    const t = { kind: 'factors' } as const;
    expect(parseValue('factors', t, 'Passcode, push ,auto')).toEqual({ ok: true, value: ['passcode', 'push', 'auto'] });
    expect(parseValue('factors', t, ' , ')).toEqual({ ok: false, message: 'Factors list cannot be empty' });
    expect(parseValue('factors', t, 'push,sms')).toEqual({
      ok: false, message: 'Factor "sms" is not one of "auto", "phone", "push", or "passcode"',
    });
  });

  it('maps Python codec aliases', () => {
    expect(parseValue('pw_codec', { kind: 'codec' }, 'UTF8')).toEqual({ ok: true, value: 'utf-8' });
    expect(parseValue('pw_codec', { kind: 'codec' }, 'iso-8859-1')).toEqual({ ok: true, value: 'latin-1' });
    expect(parseValue('pw_codec', { kind: 'codec' }, 'klingon')).toMatchObject({ ok: false });
  });

  it('adds a hint when a value looks like it carries an inline comment', () => {
    const r = parseValue('port', port, '1812 ; main');
    expect(r.ok ? '' : r.message).toContain('inline comments are not supported');
  });
});

describe('radius_ip_N networks (spec §5.1)', () => {
  const range = (t: string): [string, string] | undefined => {
    const r = parseNetwork(t);
    return r && [r.first.toString(16), r.last.toString(16)];
  };
  it('reads single addresses, CIDR (host bits masked), netmasks and ranges', () => {
    expect(range('10.0.0.5')).toEqual(['a000005', 'a000005']);
    expect(range('10.1.2.3/8')).toEqual(['a000000', 'affffff']);
    expect(range('3.3.3.3/255.255.0.0')).toEqual(['3030000', '303ffff']);
    expect(range('10.0.0.1 - 10.0.0.9')).toEqual(['a000001', 'a000009']);
    expect(range('::1')).toEqual(['1', '1']);
    expect(range('2001:db8::/32')).toEqual(['20010db8000000000000000000000000', '20010db8ffffffffffffffffffffffff']);
    expect(range('::ffff:10.0.0.1')).toEqual(['ffff0a000001', 'ffff0a000001']);
  });

  it.each(['', '10.0.0.300', '10.0.0.0/33', '10.0.0.0/255.0.255.0', '10.0.0.9-10.0.0.1', '10.0.0.1-::1',
    'fe80::1%eth0', 'host.example.com', '10.0.0.0/8,10.1.0.0/16', '01.2.3.4'])('rejects %j', (t) => {
    expect(parseNetwork(t)).toBeUndefined();
  });

  it('matches addresses, including IPv4-mapped sources, and measures size', () => {
    const net = parseNetwork('10.0.0.0/24');
    if (!net) throw new Error('parse');
    expect(networkContains(net, '10.0.0.77')).toBe(true);
    expect(networkContains(net, '::ffff:10.0.0.77')).toBe(true);
    expect(networkContains(net, '10.0.1.1')).toBe(false);
    expect(networkContains(net, 'garbage')).toBe(false);
    expect(networkSize(net)).toBe(256n);
  });
});
