/**
 * **(clone)** Mapping the proxy's v1 semantics onto Auth API v2 (spec §6.3): v1-shaped `factors`
 * and prompt from the preauth `devices`, and the v2 auth parameters for a v1 factor string.
 * Pure functions.
 */
import { isIP } from 'node:net';
import { isObject } from './parse.js';
import type { JsonObject } from './parse.js';

/** A v2 preauth device as far as the mapping needs it. */
export interface V2Device {
  readonly device: string;
  readonly capabilities: readonly string[];
  /** `number`, `display_name` or `name`, for the prompt. */
  readonly label: string;
}

/** The out-of-band factor types, in the order v1 lists them per device. */
const OOB_TYPES = ['push', 'phone', 'sms'] as const;
type OobType = (typeof OOB_TYPES)[number];

/**
 * The usable devices of a v2 preauth `auth` answer; entries without a string `device` id or a
 * `capabilities` list are skipped. `undefined` when `devices` is not a list at all.
 */
export function parseDevices(v: unknown): V2Device[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: V2Device[] = [];
  for (const d of v) {
    if (!isObject(d) || typeof d['device'] !== 'string' || !Array.isArray(d['capabilities'])) continue;
    const caps = d['capabilities'].filter((c): c is string => typeof c === 'string');
    out.push({ device: d['device'], capabilities: caps, label: labelOf(d) });
  }
  return out;
}

function labelOf(d: JsonObject): string {
  for (const k of ['number', 'display_name', 'name']) {
    const v = d[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return 'device';
}

/** One menu entry: `push1` etc. with the device it stands for. */
interface Entry {
  readonly factor: string;
  readonly type: OobType;
  readonly device: V2Device;
}

function entriesOf(devices: readonly V2Device[]): Entry[] {
  const counts: Record<OobType, number> = { push: 0, phone: 0, sms: 0 };
  const out: Entry[] = [];
  for (const device of devices) {
    for (const type of OOB_TYPES) {
      if (!device.capabilities.includes(type)) continue;
      counts[type] += 1;
      out.push({ factor: `${type}${counts[type]}`, type, device });
    }
  }
  return out;
}

/**
 * v1 `factors` object: `"1"`, `"2"`… per device and capability (push, phone, sms), numbered per
 * type (`push2` is the second push-capable device), plus `default` = the first push entry, else
 * the first phone entry (spec §6.3: `default` exists iff a device can do push or phone).
 */
export function factorsFromDevices(devices: readonly V2Device[]): Record<string, string> {
  const entries = entriesOf(devices);
  const factors: Record<string, string> = {};
  const def = entries.find((e) => e.type === 'push') ?? entries.find((e) => e.type === 'phone');
  if (def) factors['default'] = def.factor;
  entries.forEach((e, i) => {
    factors[String(i + 1)] = e.factor;
  });
  return factors;
}

const WORDS: Readonly<Record<OobType, string>> = { push: 'Duo Push to', phone: 'Phone call to', sms: 'SMS passcodes to' };

/** A v1-style menu (`Duo login for <user>` … `Passcode or option (1-N): `) built from the devices. */
export function promptFromDevices(user: string, devices: readonly V2Device[]): string {
  const entries = entriesOf(devices);
  if (entries.length === 0) return 'Passcode: ';
  const lines = entries.map((e, i) => ` ${i + 1}. ${WORDS[e.type]} ${e.device.label}`);
  return `Duo login for ${user}\n\n${lines.join('\n')}\n\nPasscode or option (1-${entries.length}): `;
}

/** v2 `/auth/v2/auth` parameters for a v1 factor, or why there are none. */
export type V2AuthChoice =
  | { readonly ok: true; readonly params: Readonly<Record<string, string>>; readonly waits: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * The §6.3 table: `push1`/`pushN` → `factor=push`, `device` = the N-th push-capable device;
 * bare `push` → `device=auto`; `phoneN`/`smsN` likewise; `auto` → `factor=auto&device=auto`;
 * anything else is a passcode. `waits` is true for the factors that wait for the user
 * (auto/push/phone), which are sent asynchronously and polled.
 */
export function v2AuthChoice(factor: string, devices: readonly V2Device[]): V2AuthChoice {
  const m = /^(push|phone|sms)(\d*)$/i.exec(factor.trim());
  if (factor.trim().toLowerCase() === 'auto') {
    return { ok: true, params: { factor: 'auto', device: 'auto' }, waits: true };
  }
  if (!m) return { ok: true, params: { factor: 'passcode', passcode: factor }, waits: false };
  const type = (m[1] ?? '').toLowerCase() as OobType;
  const waits = type !== 'sms';
  if (!m[2]) return { ok: true, params: { factor: type, device: 'auto' }, waits };
  const n = Number(m[2]);
  const device = devices.filter((d) => d.capabilities.includes(type))[n - 1];
  if (!device) return { ok: false, reason: `no ${type}-capable device number ${n}` };
  return { ok: true, params: { factor: type, device: device.device }, waits };
}

/** `ipaddr` for v2: only a literal IP address is sent (v2 refuses anything else). */
export function v2IpParam(ipaddr: string): Record<string, string> {
  return isIP(ipaddr) !== 0 ? { ipaddr } : {};
}
