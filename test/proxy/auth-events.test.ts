import { describe, expect, it } from 'vitest';
import { eventTimestamp, formatAuthEvent, pyJsonString } from '../../src/proxy/auth-events.js';
import { ChallengeStore, pyBytesRepr } from '../../src/proxy/challenge-store.js';
import { pyRepr } from '../../src/proxy/messages.js';

describe('authevents.log lines (spec §7.2)', () => {
  it('formats keys in Duo order with Python json.dumps separators and null for absent values', () => {
    const line = formatAuthEvent(
      {
        msg: 'Primary authentication successful - Active Directory authentication succeeded',
        username: 'jdoe',
        auth_stage: 'Primary authentication',
        status: 'Allow',
        client_ip: '203.0.113.9',
        server_section: 'radius_server_auto',
        server_section_ikey: 'DIXXXXXXXXXXXXXXXXXX',
        factor: null,
      },
      new Date(Date.UTC(2020, 5, 1, 14, 22, 57, 123)),
      'authproxy01',
    );
    expect(line).toBe(
      '{"timestamp": "2020-06-01T14:22:57.123000Z", "msg": "Primary authentication successful - Active Directory authentication succeeded", "username": "jdoe", "auth_stage": "Primary authentication", "status": "Allow", "client_ip": "203.0.113.9", "server_section": "radius_server_auto", "server_section_ikey": "DIXXXXXXXXXXXXXXXXXX", "factor": null, "hostname": "authproxy01"}',
    );
  });

  it('drops the fraction when it is zero, as Python does', () => {
    expect(eventTimestamp(new Date(Date.UTC(2020, 5, 1, 14, 22, 57, 0)))).toBe('2020-06-01T14:22:57Z');
  });

  it('escapes non-ASCII as \\uXXXX (ensure_ascii), astral characters as surrogate pairs', () => {
    expect(pyJsonString('jürgen 😀 "q"')).toBe('"j\\u00fcrgen \\ud83d\\ude00 \\"q\\""');
  });
});

describe('Python reprs in log lines', () => {
  it.each([
    ['jdoe', "'jdoe'"],
    ["o'brien", '"o\'brien"'],
    ['a\\b', "'a\\\\b'"],
    ['tab\there', "'tab\\there'"],
  ])('repr(%j) = %s', (s, r) => expect(pyRepr(s)).toBe(r));

  it('bytes repr of an unknown State', () => {
    expect(pyBytesRepr(Buffer.from([0x61, 0x00, 0x27, 0xff]))).toBe("b'a\\x00\\'\\xff'");
  });
});

describe('challenge store (spec §5.4 A, G)', () => {
  it('expires after 300 s and keeps at most maxPending', () => {
    let now = 0;
    const store = new ChallengeStore<string>(() => now, 2);
    const a = store.issue('10.0.0.5', 'u', 1, 'a');
    now = 299_999;
    expect(store.take(a, '10.0.0.5', 'u').ok).toBe(true);
    const b = store.issue('10.0.0.5', 'u', 2, 'b');
    now += 300_000;
    expect(store.take(b, '10.0.0.5', 'u')).toEqual({ ok: false, message: `Response to unknown AccessChallenge! state ${pyBytesRepr(b)}` });
    const c = store.issue('10.0.0.5', 'u', 3, 'c');
    store.issue('10.0.0.5', 'u', 4, 'd');
    store.issue('10.0.0.5', 'u', 5, 'e');
    expect(store.size).toBe(2);
    expect(store.take(c, '10.0.0.5', 'u').ok).toBe(false);
  });

  it('binds the State to the source IP and the User-Name', () => {
    const store = new ChallengeStore<string>();
    const s = store.issue('10.0.0.5', 'u', 1, 'x');
    expect(store.take(s, '10.0.0.5', 'v')).toEqual({ ok: false, message: "Response to AccessChallenge with incorrect username: 'v'" });
    expect(store.take(s, '10.0.0.5', 'u').ok).toBe(true);
  });
});
