/**
 * The three numbering rules of spec §1.5 (Duo uses a different one for each family of keys):
 *  - `radius_ip_N`/`radius_secret_N`: any digits, gaps allowed, each ip needs its secret;
 *  - `[ad_client]` `host`, `host_N`: `host` first, then every `host_N` sorted numerically;
 *  - `[radius_client]` `host`/`port`, `host_1`/`port_1`, `host_2`…: contiguous, stop at a gap;
 *  - `exempt_username_N`: contiguous from 1.
 */
import { parseAddress, parseNetwork } from '../util/ip.js';
import { findOption, type OptionSpec } from './schema.js';
import type { SectionReader } from './section-reader.js';
import type { RadiusClientEntry, RadiusHost } from './types.js';

function numberedSpec(r: SectionReader, key: string): OptionSpec {
  const spec = findOption(r.spec, key);
  if (!spec) throw new Error(`bug: no option '${key}' in the ${r.spec.type} table`);
  return spec;
}

/** Keys of the section matching `pattern`, in file order. */
function keysLike(r: SectionReader, pattern: RegExp): string[] {
  return r.keys().filter((k) => pattern.test(k)).sort((a, b) => r.lineOf(a) - r.lineOf(b));
}

/** `radius_ip_N` / `radius_secret_N` pairs of a server section, in file order. */
export function readRadiusClients(r: SectionReader): RadiusClientEntry[] {
  const ipSpec = numberedSpec(r, 'radius_ip_N');
  const secretSpec = numberedSpec(r, 'radius_secret_N');
  const ipKeys = keysLike(r, /^radius_ip_/);
  const out: RadiusClientEntry[] = [];
  for (const key of ipKeys) {
    const entry = r.take(key);
    const suffix = key.slice('radius_ip_'.length);
    if (!entry) continue;
    if (!/^\d+$/.test(suffix)) {
      r.issues.error(entry.line, key, `Expected integer as suffix for '${key}'`);
      continue;
    }
    const network = r.parseEntry(entry, ipSpec);
    const secretKey = `radius_secret_${suffix}`;
    const secretEntry = r.take(secretKey);
    if (!secretEntry) {
      r.issues.error(entry.line, secretKey,
        `Missing required configuration item: '${secretKey}' (${secretKey} must be provided when specifying ${key})`);
      continue;
    }
    const secret = r.parseEntry(secretEntry, secretSpec);
    const range = typeof network === 'string' ? parseNetwork(network) : undefined;
    if (range && typeof secret === 'string') out.push({ network: entry.value, range, secret, key, line: entry.line });
  }
  if (ipKeys.length === 0) {
    r.missing('radius_ip_1', ' (at least one radius_ip_N / radius_secret_N pair is required)');
  }
  for (const key of keysLike(r, /^radius_secret_\d+$/)) {
    const entry = r.take(key);
    const ipKey = key.replace('radius_secret_', 'radius_ip_');
    if (entry && !r.has(ipKey)) r.issues.warn(entry.line, key, `${ipKey} must be provided when specifying ${key}`);
  }
  return out;
}

/** `[ad_client]` hosts: `host`, then `host_N` in numeric order (gaps allowed). */
export function readAdHosts(r: SectionReader): string[] {
  const hostSpec = numberedSpec(r, 'host_N');
  const hosts: string[] = [];
  const first = r.get('host');
  if (typeof first === 'string') hosts.push(first);
  if (first === '') r.issues.warn(r.lineOf('host'), 'host', 'The host value provided is invalid. (the value is empty)');
  const numbered = keysLike(r, /^host_\d+$/).sort(
    (a, b) => Number(a.slice(5)) - Number(b.slice(5)) || r.lineOf(a) - r.lineOf(b),
  );
  for (const key of numbered) {
    const entry = r.take(key);
    const v = entry && r.parseEntry(entry, hostSpec);
    if (typeof v === 'string') hosts.push(v);
  }
  if (!r.has('host') && numbered.length === 0) r.missing('host', ' (give host, or host_N)');
  return hosts;
}

/** `[radius_client]` hosts: `host`/`port`, then `host_1`/`port_1`, … up to the first gap. */
export function readRadiusHosts(r: SectionReader): RadiusHost[] {
  const hostSpec = numberedSpec(r, 'host_N');
  const portSpec = numberedSpec(r, 'port_N');
  const found: { host: string; port: number; key: string }[] = [];
  const first = r.get('host');
  if (typeof first === 'string') found.push({ host: first, port: Number(r.get('port')), key: 'host' });
  let i = 1;
  for (; r.has(`host_${i}`); i++) {
    const entry = r.take(`host_${i}`);
    const host = entry && r.parseEntry(entry, hostSpec);
    const portEntry = r.take(`port_${i}`);
    const port = portEntry ? r.parseEntry(portEntry, portSpec) : portSpec.default;
    if (typeof host === 'string' && typeof port === 'number') found.push({ host, port, key: `host_${i}` });
  }
  warnAfterGap(r, /^(?:host|port)_\d+$/, 'host_', i);
  for (const h of found) {
    // Duo's validator demands an IP; its runtime does not resolve names (spec §3.1).
    if (!parseAddress(h.host)) {
      r.issues.warn(r.lineOf(h.key), h.key,
        `The ${h.key} value provided is invalid. (must be an IP address, got ${JSON.stringify(h.host)})`);
    }
  }
  return found.map(({ host, port }) => ({ host, port }));
}

/** `exempt_username_1`, `exempt_username_2`, … up to the first gap. */
export function readExemptUsernames(r: SectionReader): string[] {
  const spec = numberedSpec(r, 'exempt_username_N');
  const names: string[] = [];
  let i = 1;
  for (; r.has(`exempt_username_${i}`); i++) {
    const entry = r.take(`exempt_username_${i}`);
    const v = entry && r.parseEntry(entry, spec);
    if (typeof v === 'string') names.push(v);
  }
  warnAfterGap(r, /^exempt_username_\d+$/, 'exempt_username_', i);
  return names;
}

/** Warns about numbered keys that Duo never reads because the numbering stopped at `prefix<gap>`. */
function warnAfterGap(r: SectionReader, pattern: RegExp, prefix: string, gap: number): void {
  for (const key of keysLike(r, pattern)) {
    if (r.isConsumed(key)) continue;
    const entry = r.take(key);
    if (!entry) continue;
    r.issues.warn(entry.line, key,
      `${key} in section [${r.header}] has no effect when ${prefix}${gap} is not set (numbering must be contiguous from ${prefix}1)`);
  }
}
