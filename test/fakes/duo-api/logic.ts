/**
 * What the fake Duo service answers for a user scenario, in both dialects: legacy v1
 * (`/rest/v1/preauth`, `/rest/v1/auth` with `auto=`) and Auth API v2 (spec §6.1, §6.3).
 * Written independently of src/duo so that a mapping bug there shows up as a failed test.
 */
import type { FakeAnswer, FakeDevice, UserScenario } from './types.js';

/** An answer to send, possibly after a delay (a user looking at a push). */
export interface FakeReply {
  readonly httpStatus: number;
  /** JSON envelope to send. */
  readonly json: unknown;
  readonly delayMs: number;
}

/** `stat: OK` answer. */
export function ok(response: unknown, delayMs = 0): FakeReply {
  return { httpStatus: 200, json: { stat: 'OK', response }, delayMs };
}

/** `stat: FAIL` answer. */
export function fail(httpStatus: number, code: number, message: string): FakeReply {
  return { httpStatus, json: { stat: 'FAIL', code, message }, delayMs: 0 };
}

/** Duo's answer to unusable parameters. */
export const badParams = (): FakeReply => fail(400, 40002, 'Invalid request parameters');

type Oob = 'push' | 'phone' | 'sms';
const OOB: readonly Oob[] = ['push', 'phone', 'sms'];
const WORDS: Record<Oob, string> = { push: 'Duo Push to', phone: 'Phone call to', sms: 'SMS passcodes to' };

/** Every (device, type) pair in menu order, numbered per type. */
function menu(devices: readonly FakeDevice[]): { factor: string; type: Oob; device: FakeDevice }[] {
  const n: Record<Oob, number> = { push: 0, phone: 0, sms: 0 };
  const out: { factor: string; type: Oob; device: FakeDevice }[] = [];
  for (const device of devices) {
    for (const type of OOB) {
      if (device.capabilities.includes(type)) out.push({ factor: `${type}${++n[type]}`, type, device });
    }
  }
  return out;
}

function defaultType(devices: readonly FakeDevice[]): Oob | undefined {
  if (devices.some((d) => d.capabilities.includes('push'))) return 'push';
  if (devices.some((d) => d.capabilities.includes('phone'))) return 'phone';
  return undefined;
}

const ENROLL_URL = 'https://fake-duo.test/portal?code=0123456789abcdef';

function simpleStatus(s: Exclude<UserScenario, { kind: 'auth' }>): string {
  if (s.kind === 'allow') return s.status ?? 'Bypass user';
  if (s.kind === 'deny') return s.status ?? 'Access denied.';
  return s.status ?? 'Enroll an authentication device to proceed';
}

/** `/rest/v1/preauth` answer. */
export function preauthV1(user: string, s: UserScenario): FakeReply {
  if (s.kind === 'enroll') return ok({ result: 'enroll', status: `${simpleStatus(s)} ${s.enrollUrl ?? ENROLL_URL}` });
  if (s.kind !== 'auth') return ok({ result: s.kind, status: simpleStatus(s), ...(s.groups ? { groups: s.groups } : {}) });
  const entries = menu(s.devices);
  const factors: Record<string, string> = {};
  const def = defaultType(s.devices);
  if (def) factors['default'] = `${def}1`;
  entries.forEach((e, i) => (factors[String(i + 1)] = e.factor));
  const lines = entries.map((e, i) => ` ${i + 1}. ${WORDS[e.type]} ${e.device.number ?? e.device.name ?? 'device'}`);
  const prompt = entries.length
    ? `Duo login for ${user}\n\n${lines.join('\n')}\n\nPasscode or option (1-${entries.length}): `
    : 'Passcode: ';
  return ok({ result: 'auth', status: s.status ?? 'Account is active', factors, prompt, ...(s.groups ? { groups: s.groups } : {}) });
}

/** `/auth/v2/preauth` answer. */
export function preauthV2(s: UserScenario): FakeReply {
  if (s.kind === 'enroll') {
    return ok({ result: 'enroll', status_msg: simpleStatus(s), enroll_portal_url: s.enrollUrl ?? ENROLL_URL });
  }
  if (s.kind !== 'auth') return ok({ result: s.kind, status_msg: simpleStatus(s) });
  const devices = s.devices.map((d) => ({ type: 'phone', ...d, display_name: d.number ?? d.name ?? d.device }));
  return ok({ result: 'auth', status_msg: s.status ?? 'Account is active', devices });
}

/** A final auth outcome in v2 terms (v1 uses `status_msg` as its `status`). */
export interface Outcome {
  readonly result: 'allow' | 'deny';
  readonly status: string;
  readonly status_msg: string;
  readonly delayMs: number;
}

const SUCCESS = 'Success. Logging you in...';

function oobOutcome(type: Oob, s: Extract<UserScenario, { kind: 'auth' }>): Outcome {
  if (type === 'sms') return { result: 'deny', status: 'sent', status_msg: 'New SMS passcodes sent.', delayMs: 0 };
  const a: FakeAnswer = (type === 'push' ? s.push : s.phone) ?? { result: 'allow' };
  const text = a.status ?? (a.result === 'allow' ? SUCCESS : 'Login request denied.');
  return { result: a.result, status: a.result, status_msg: text, delayMs: a.afterMs ?? 0 };
}

/** Outcome of a passcode for the scenario. */
export function passcodeOutcome(s: UserScenario, passcode: string): Outcome {
  if (s.kind !== 'auth') return simpleOutcome(s);
  if (s.passcodes?.includes(passcode)) return { result: 'allow', status: 'allow', status_msg: SUCCESS, delayMs: 0 };
  return { result: 'deny', status: 'deny', status_msg: 'Incorrect passcode. Please try again.', delayMs: 0 };
}

function simpleOutcome(s: Exclude<UserScenario, { kind: 'auth' }>): Outcome {
  if (s.kind === 'allow') return { result: 'allow', status: 'bypass', status_msg: simpleStatus(s), delayMs: 0 };
  return { result: 'deny', status: 'deny', status_msg: simpleStatus(s), delayMs: 0 };
}

/**
 * Outcome of an out-of-band factor on a device: `device` is `auto`, a device id, or (v1) the
 * 1-based index among the devices able to do `type`. `undefined` when no such device exists.
 */
export function oobAuth(s: UserScenario, type: Oob | 'auto', device: string | number): Outcome | undefined {
  if (s.kind !== 'auth') return simpleOutcome(s);
  const t = type === 'auto' ? defaultType(s.devices) : type;
  if (!t) return undefined;
  const able = s.devices.filter((d) => d.capabilities.includes(t));
  const found = typeof device === 'number' ? able[device - 1] : device === 'auto' ? able[0] : able.find((d) => d.device === device);
  return found ? oobOutcome(t, s) : undefined;
}

/** `/rest/v1/auth` answer for the `auto` parameter (factor name or passcode). */
export function authV1(s: UserScenario, auto: string): FakeReply {
  const m = /^(push|phone|sms)(\d*)$/.exec(auto);
  const outcome =
    auto === 'auto'
      ? oobAuth(s, 'auto', 'auto')
      : m
        ? oobAuth(s, m[1] as Oob, m[2] ? Number(m[2]) : 'auto')
        : passcodeOutcome(s, auto);
  if (!outcome) return badParams();
  return ok({ result: outcome.result, status: outcome.status_msg }, outcome.delayMs);
}

/** `/auth/v2/auth` outcome for `factor`/`device`/`passcode`, or a 400 for bad parameters. */
export function authV2(s: UserScenario, p: Readonly<Record<string, string>>): Outcome | FakeReply {
  const factor = p['factor'];
  if (factor === 'passcode') return p['passcode'] === undefined ? badParams() : passcodeOutcome(s, p['passcode']);
  if (factor !== 'auto' && factor !== 'push' && factor !== 'phone' && factor !== 'sms') return badParams();
  if (p['device'] === undefined) return badParams();
  return oobAuth(s, factor, p['device']) ?? badParams();
}
