/** The v1 → v2 mapping of spec §6.3 as pure tables. */
import { describe, expect, it } from 'vitest';
import { enrollStatus } from '../../src/duo/v2.js';
import { factorsFromDevices, parseDevices, promptFromDevices, v2AuthChoice, v2IpParam } from '../../src/duo/v2-map.js';

const devices = parseDevices([
  { device: 'DLAND', type: 'phone', number: 'XXX-XXX-5678', capabilities: ['auto', 'phone'] },
  { device: 'DPHONE1', type: 'phone', number: 'XXX-XXX-1234', capabilities: ['auto', 'push', 'sms', 'phone', 'mobile_otp'] },
  { device: 'DTOKEN', type: 'token', capabilities: [] },
  { junk: true },
  { device: 'DPHONE2', display_name: 'iOS (XXX-XXX-9999)', capabilities: ['push', 'sms'] },
]) ?? [];

describe('devices → v1 factors and prompt', () => {
  it('skips entries without an id or capabilities', () => {
    expect(devices.map((d) => d.device)).toEqual(['DLAND', 'DPHONE1', 'DTOKEN', 'DPHONE2']);
    expect(parseDevices('nope')).toBeUndefined();
  });

  it('numbers per type, default = first push', () => {
    expect(factorsFromDevices(devices)).toEqual({
      default: 'push1',
      '1': 'phone1',
      '2': 'push1',
      '3': 'phone2',
      '4': 'sms1',
      '5': 'push2',
      '6': 'sms2',
    });
  });

  it('default = first phone without push; none without push/phone', () => {
    expect(factorsFromDevices(devices.slice(0, 1))).toEqual({ default: 'phone1', '1': 'phone1' });
    expect(factorsFromDevices(devices.slice(2, 3))).toEqual({});
  });

  it('builds a v1-style menu', () => {
    expect(promptFromDevices('jdoe', devices.slice(0, 2))).toBe(
      'Duo login for jdoe\n\n 1. Phone call to XXX-XXX-5678\n 2. Duo Push to XXX-XXX-1234\n 3. Phone call to XXX-XXX-1234\n 4. SMS passcodes to XXX-XXX-1234\n\nPasscode or option (1-4): ',
    );
    expect(promptFromDevices('jdoe', [])).toBe('Passcode: ');
  });
});

describe('v1 factor → v2 auth parameters', () => {
  const rows: [string, Record<string, string> | string, boolean?][] = [
    ['push1', { factor: 'push', device: 'DPHONE1' }, true],
    ['push2', { factor: 'push', device: 'DPHONE2' }, true],
    ['Push2', { factor: 'push', device: 'DPHONE2' }, true],
    ['push', { factor: 'push', device: 'auto' }, true],
    ['phone1', { factor: 'phone', device: 'DLAND' }, true],
    ['phone2', { factor: 'phone', device: 'DPHONE1' }, true],
    ['sms2', { factor: 'sms', device: 'DPHONE2' }, false],
    ['sms', { factor: 'sms', device: 'auto' }, false],
    ['auto', { factor: 'auto', device: 'auto' }, true],
    ['123456', { factor: 'passcode', passcode: '123456' }, false],
    ['ccccccdrefkv', { factor: 'passcode', passcode: 'ccccccdrefkv' }, false],
    ['push3', 'no push-capable device number 3'],
    ['phone0', 'no phone-capable device number 0'],
  ];
  for (const [factor, want, waits] of rows) {
    it(`${factor}`, () => {
      const got = v2AuthChoice(factor, devices);
      if (typeof want === 'string') expect(got).toEqual({ ok: false, reason: want });
      else expect(got).toEqual({ ok: true, params: want, waits });
    });
  }
});

describe('small helpers', () => {
  it('sends ipaddr only when it is an IP literal', () => {
    expect(v2IpParam('10.1.2.3')).toEqual({ ipaddr: '10.1.2.3' });
    expect(v2IpParam('::1')).toEqual({ ipaddr: '::1' });
    expect(v2IpParam('00-11-22-33-44-55')).toEqual({});
  });
  it('appends the enrollment link when the message lacks it', () => {
    expect(enrollStatus('Enroll now', 'https://x/p')).toBe('Enroll now https://x/p');
    expect(enrollStatus('Enroll at https://x/p', 'https://x/p')).toBe('Enroll at https://x/p');
    expect(enrollStatus('Enroll now', undefined)).toBe('Enroll now');
  });
});
