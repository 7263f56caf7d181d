/**
 * The simulator's integration credentials: an ikey (`DI` + 18 upper-case letters/digits) and an
 * skey (40 letters/digits), random, generated on first start and kept in
 * `<state dir>/integration.json` (mode 0600) so the generated proxy config keeps working across
 * restarts.
 */
import { randomInt } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthproxyError } from '../errors.js';

/** One Duo integration: what goes into `ikey=` / `skey=` of a `radius_server_*` section. */
export interface Integration {
  readonly ikey: string;
  readonly skey: string;
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `n` characters drawn uniformly from `alphabet` (crypto.randomInt: no modulo bias). */
export function randomText(n: number, alphabet: string): string {
  return Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** A fresh random ikey: `DI` + 18 upper-case letters/digits (Duo's shape). */
export function randomIkey(): string {
  return `DI${randomText(18, UPPER_ALNUM)}`;
}

/** A fresh random skey: 40 letters/digits. */
export function randomSkey(): string {
  return randomText(40, ALNUM);
}

/** File name of the persisted integration inside the state dir. */
export const INTEGRATION_FILE = 'integration.json';

/** True for a well-formed pair (what {@link loadOrCreateIntegration} accepts from disk). */
export function isIntegration(v: unknown): v is Integration {
  if (typeof v !== 'object' || v === null) return false;
  const { ikey, skey } = v as Record<string, unknown>;
  return typeof ikey === 'string' && /^DI[A-Z0-9]{18}$/.test(ikey) && typeof skey === 'string' && /^[A-Za-z0-9]{40}$/.test(skey);
}

/**
 * Reads `<stateDir>/integration.json`, or creates it with a random pair when it is missing.
 * Throws `AP_ERR_SIMULATOR_SETUP` when the file exists but is not a valid pair (it is never
 * overwritten: a config may depend on it) or cannot be written.
 */
export function loadOrCreateIntegration(stateDir: string): Integration {
  const file = join(stateDir, INTEGRATION_FILE);
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new AuthproxyError('AP_ERR_SIMULATOR_SETUP', `cannot read '${file}': not JSON`, { cause: err });
    }
    if (!isIntegration(parsed)) throw new AuthproxyError('AP_ERR_SIMULATOR_SETUP', `'${file}' does not hold a valid ikey/skey pair; delete it to get a new one`);
    return { ikey: parsed.ikey, skey: parsed.skey };
  }
  const integration: Integration = { ikey: randomIkey(), skey: randomSkey() };
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify(integration, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  } catch (err) {
    throw new AuthproxyError('AP_ERR_SIMULATOR_SETUP', `cannot write '${file}'`, { cause: err });
  }
  return integration;
}
