/**
 * The effective configuration as logged at start-up (spec §7.1): one line per section, Duo's module
 * header, the section name, then a Python-dict-like rendering of every effective option (defaults
 * included, keys sorted as `pprint` does). Every secret is shown as `*****[<length>]`; unlike Duo,
 * `[main]` is scrubbed too (it holds no secret today, but the rule is uniform).
 */
import { pyRepr } from '../util/py-text.js';
import type { OptionSpec } from './schema.js';
import { SECTION_SPECS, type SectionType } from './sections/registry.js';
import type { ClientSection, Config, ServerSection } from './types.js';

type Rendered = [key: string, value: string];

/** One line per section: `<module header> [<name>] {'key': value, ...}`. */
export function dumpConfig(config: Config): string[] {
  const lines = [`${SECTION_SPECS.main.logHeader} [main] ${renderDict(tableEntries('main', config.main))}`];
  for (const c of config.clients) lines.push(sectionLine(c.type, c.name, clientEntries(c)));
  for (const s of config.servers) lines.push(sectionLine(s.type, s.name, serverEntries(s)));
  return lines;
}

/** Every secret value of the config (skeys, RADIUS secrets, service-account passwords), for log scrubbing. */
export function configSecrets(config: Config): string[] {
  const out = new Set<string>();
  for (const s of config.servers) {
    out.add(s.skey);
    for (const c of s.clients) out.add(c.secret);
  }
  for (const c of config.clients) {
    if (c.type === 'radius_client') out.add(c.secret);
    if (c.type === 'ad_client') out.add(c.serviceAccountPassword);
  }
  out.delete('');
  return [...out];
}

/** True for keys whose values are secrets, including Windows `*_protected` forms (spec §8.4). */
export function isSecretKey(key: string): boolean {
  return /^(?:skey|secret|service_account_password|radius_secret(?:_protected)?_\d+)(?:_protected)?$/.test(key);
}

/** `*****[<length>]`, the length counted in characters as Python's `len()`. */
export function maskSecret(value: string): string {
  return `*****[${[...value].length}]`;
}

function sectionLine(type: SectionType, name: string, entries: Rendered[]): string {
  return `${SECTION_SPECS[type].logHeader} [${name}] ${renderDict(entries)}`;
}

function renderDict(entries: Rendered[]): string {
  const sorted = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `{${sorted.map(([k, v]) => `${pyRepr(k)}: ${v}`).join(', ')}}`;
}

function renderValue(key: string, value: unknown, secret: boolean): string {
  if (value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => renderValue(key, v, secret)).join(', ')}]`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return pyRepr(secret || isSecretKey(key) ? maskSecret(text) : text);
}

/** The plain (non-numbered, one-field) options of the section's table, read from `obj`. */
function tableEntries(type: SectionType, obj: object, skipFields: readonly string[] = []): Rendered[] {
  const record = obj as Readonly<Record<string, unknown>>;
  return SECTION_SPECS[type].options
    .filter((o: OptionSpec) => !o.numbered && !skipFields.includes(o.field))
    .map((o): Rendered => [o.key, renderValue(o.key, record[o.field], o.secret === true)]);
}

function clientEntries(c: ClientSection): Rendered[] {
  switch (c.type) {
    case 'ad_client':
      return [...tableEntries(c.type, c, ['hosts']), ['hosts', renderValue('hosts', c.hosts, false)]];
    case 'radius_client':
      return [...tableEntries(c.type, c, ['hosts']),
        ['hosts', renderValue('hosts', c.hosts.map((h) => `${h.host}:${h.port}`), false)]];
    case 'duo_only_client':
      return tableEntries(c.type, c);
  }
}

function serverEntries(s: ServerSection): Rendered[] {
  const out = tableEntries(s.type, s, ['clients', 'exemptUsernames']);
  for (const c of s.clients) {
    out.push([c.key, renderValue(c.key, c.network, false)]);
    const secretKey = c.key.replace('radius_ip_', 'radius_secret_');
    out.push([secretKey, renderValue(secretKey, c.secret, true)]);
  }
  s.exemptUsernames.forEach((u, i) => out.push([`exempt_username_${i + 1}`, renderValue('exempt_username', u, false)]));
  return out;
}
