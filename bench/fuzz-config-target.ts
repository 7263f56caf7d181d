/**
 * The config-loader fuzz target: `parseConfig(text, file)` returns a frozen Config or throws
 * its documented error, `ConfigInvalidError` (`AP_ERR_CONFIG_INVALID`), whose issues all carry a
 * message and the file name. A Config that loads must dump (`dumpConfig`) to single lines that
 * never show a secret.
 */
import { dumpConfig } from '../src/config/dump.js';
import { ConfigInvalidError } from '../src/config/issues.js';
import { parseConfig } from '../src/config/load.js';
import { SECTION_SPECS } from '../src/config/sections/registry.js';
import type { Config } from '../src/config/types.js';
import type { FuzzTarget } from './fuzz-engine.js';
import { mutateConfigText } from './fuzz-mutate.js';
import type { Rng } from './fuzz-rng.js';
import { configSeeds } from './fuzz-seeds.js';
import { FuzzViolation } from './fuzz-packet-target.js';

const FILE = 'fuzz.cfg';

/** Every option key of every table, numbered ones as _1/_2/_10 (mutation dictionary). */
export function configKeys(): string[] {
  const keys = new Set<string>();
  for (const spec of Object.values(SECTION_SPECS)) {
    for (const o of spec.options) {
      if (o.key.endsWith('_N')) for (const n of ['1', '2', '10']) keys.add(o.key.replace(/_N$/, `_${n}`));
      else keys.add(o.key);
      if (o.protectedKey) keys.add(o.protectedKey.replace(/_N$/, '_1'));
    }
  }
  return [...keys];
}

function secretsOf(c: Config): string[] {
  const out: string[] = [];
  for (const s of c.servers) out.push(s.skey, ...s.clients.map((x) => x.secret));
  for (const x of c.clients) {
    if (x.type === 'radius_client') out.push(x.secret);
    if (x.type === 'ad_client') out.push(x.serviceAccountPassword);
  }
  // Only secrets that cannot occur by chance in other values are checked.
  return out.filter((s) => /^[A-Za-z0-9]{8,}$/.test(s));
}

/** Runs one config text (see the module comment). */
export function runConfig(text: string): void {
  let config: Config;
  try {
    config = parseConfig(text, FILE);
  } catch (err) {
    if (!(err instanceof ConfigInvalidError)) throw err;
    if (err.issues.length === 0 || err.issues.some((i) => i.file !== FILE || typeof i.message !== 'string' || i.message === '')) {
      throw new FuzzViolation('ConfigInvalidError with an empty issue list or an issue without file/message');
    }
    return;
  }
  if (!Object.isFrozen(config) || !Object.isFrozen(config.servers)) throw new FuzzViolation('Config is not frozen');
  const lines = dumpConfig(config);
  for (const line of lines) if (line.includes('\n')) throw new FuzzViolation('dump line contains a newline');
  const dump = lines.join('\n');
  for (const s of secretsOf(config)) {
    const other = config.servers.some((x) => x.ikey === s || x.apiHost === s);
    if (!other && dump.includes(`'${s}'`)) throw new FuzzViolation('a secret appears in the config dump');
  }
}

/** The config target for {@link runFuzz}. */
export function configTarget(seeds: readonly string[] = configSeeds()): FuzzTarget<string> {
  const keys = configKeys();
  return {
    name: 'config-loader',
    seeds,
    run: runConfig,
    mutate: (input: string, corpus: readonly string[], rng: Rng) => mutateConfigText(input, corpus, keys, rng),
    isExpected: () => false,
    show: (input: string) => JSON.stringify(input),
  };
}
