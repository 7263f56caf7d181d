/**
 * Spec §5.4 E end to end with real parts only: `eapol_test` (wpa_supplicant's EAP peer and RADIUS
 * NAS) talks EAP over RADIUS to the real proxy, which relays every round to a real FreeRADIUS
 * terminating PEAP/EAP-TTLS with its test CA; Duo is the fake Auth API over HTTPS.
 *
 * eapol_test derives the MSK itself and compares it with the MS-MPPE-Recv-Key/Send-Key of the
 * Access-Accept it receives ("MPPE keys OK: 1  mismatch: 0"); as those keys reach it through our
 * proxy, that line proves they were decrypted with the upstream secret and re-encrypted with the
 * NAS secret and the NAS's Request Authenticator correctly (RFC 2548 §2.4.2, spec §11).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smartphone, startFakeDuoApi, type FakeDuoApi } from '../fakes/duo-api/index.js';
import { startFreeRadius, type FreeRadiusHandle } from '../harness/freeradius.js';
import { NAS_SECRET, radiusClientSection, startE2e, type E2e } from './env.js';

const exec = promisify(execFile);
const SUCCESS = 'Success. Logging you in...';

interface EapolRun {
  readonly ok: boolean;
  readonly out: string;
}

let fr: FreeRadiusHandle;
let duo: FakeDuoApi;
let env: E2e;
let confN = 0;

/** Runs eapol_test once against the proxy with a wpa_supplicant network block. */
async function eapol(network: string, extraArgs: string[] = []): Promise<EapolRun> {
  const conf = join(env.dir, `eapol-${++confN}.conf`);
  writeFileSync(conf, `network={\n  key_mgmt=WPA-EAP\n  ca_cert="${fr.caFile}"\n${network}\n}\n`);
  const args = ['-c', conf, '-a', '127.0.0.1', '-p', String(env.port), '-s', NAS_SECRET, '-t', '15', '-r', '0', ...extraArgs];
  try {
    const { stdout } = await exec('eapol_test', args, { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, out: stdout };
  } catch (err) {
    const e = err as { stdout?: string; code?: number };
    return { ok: false, out: e.stdout ?? String(err) };
  }
}

const peap = (user: string, password: string) => `  eap=PEAP\n  identity="${user}"\n  password="${password}"\n  phase2="auth=MSCHAPV2"`;
const ttlsPap = (user: string, password: string) => `  eap=TTLS\n  identity="${user}"\n  password="${password}"\n  phase2="auth=PAP"`;

const preauths = () => duo.calls.filter((c) => c.endpoint === 'preauth');
const auths = () => duo.calls.filter((c) => c.endpoint === 'auth' && !c.path.endsWith('auth_status'));

beforeAll(async () => {
  [fr, duo] = await Promise.all([startFreeRadius({ eap: true }), startFakeDuoApi()]);
  // factors=auto,passcode: a user without push gets `passcode` from factor selection (spec §5.5 step 1).
  env = await startE2e({ duo, clientSection: radiusClientSection(fr), serverOptions: 'factors=auto,passcode' });
});
afterAll(async () => {
  await env?.close();
  await duo?.close();
  await fr?.stop();
});

async function user(name: string, push: 'allow' | 'deny' | 'passcode-only'): Promise<void> {
  if (push === 'passcode-only') {
    duo.setUser(name, { kind: 'auth', devices: [{ device: 'DTOKEN00000000000001', type: 'token', capabilities: [] }], passcodes: ['123456'] });
  } else {
    duo.setUser(name, { kind: 'auth', devices: [smartphone('DPALICE0000000000001')], push: { result: push, status: push === 'allow' ? SUCCESS : 'Login request denied.' } });
  }
}

describe('EAP relay through the proxy to FreeRADIUS (eapol_test as NAS and peer)', () => {
  it('PEAP-MSCHAPv2, push approved → SUCCESS and the MPPE keys eapol_test derived match the re-encrypted ones', async () => {
    await duo.reset();
    await user('alice', 'allow');
    const before = env.events().length;
    const r = await eapol(peap('alice', 'alicepw'));
    expect(r.out).toContain('MPPE keys OK: 1  mismatch: 0');
    expect(r.out).toMatch(/\nSUCCESS\n/);
    expect(r.ok).toBe(true);
    // One Duo login for the whole EAP conversation, after the upstream accepted.
    expect(preauths()).toHaveLength(1);
    expect(auths()).toHaveLength(1);
    expect(auths()[0]!.params['auto']).toBe('push1');
    // Several EAP rounds went through the proxy; every reply carried Message-Authenticator (eapol_test requires it).
    expect((fr.log().match(/Login OK: \[alice/g) ?? []).length).toBeGreaterThanOrEqual(1);
    const ev = env.events().slice(before);
    expect(ev.map((e) => [e['auth_stage'], e['status']])).toEqual([['Primary authentication', 'Allow'], ['Secondary authentication', 'Allow']]);
    expect(ev[1]!['msg']).toBe(SUCCESS);
  });

  it('EAP-TTLS/PAP, push approved → SUCCESS with matching MPPE keys', async () => {
    await duo.reset();
    await user('bob', 'allow');
    const r = await eapol(ttlsPap('bob', 'bobpw'));
    expect(r.out).toContain('MPPE keys OK: 1  mismatch: 0');
    expect(r.ok).toBe(true);
  });

  it('push denied → FAILURE after the upstream accepted (Access-Reject with an EAP-Failure)', async () => {
    await duo.reset();
    await user('alice', 'deny');
    const r = await eapol(peap('alice', 'alicepw'));
    expect(r.ok).toBe(false);
    expect(r.out).toContain('Access-Reject');
    expect(r.out).toContain('Login request denied.');
    expect(r.out).toContain('EAP: Received EAP-Failure');
    expect(r.out).not.toMatch(/\nSUCCESS\n/);
    expect(auths()).toHaveLength(1);
  });

  it('wrong inner password → the upstream rejects, FAILURE, Duo never called', async () => {
    await duo.reset();
    await user('alice', 'allow');
    const r = await eapol(peap('alice', 'wrong'));
    expect(r.ok).toBe(false);
    expect(r.out).toContain('Access-Reject');
    expect(duo.calls).toHaveLength(0);
    expect(env.events().at(-1)!['msg']).toMatch(/^Primary credentials rejected - /);
  });

  it('a user with only a passcode device: Duo gets the word "passcode" (no challenge inside EAP) and denies', async () => {
    await duo.reset();
    await user('alice', 'passcode-only');
    const r = await eapol(peap('alice', 'alicepw'));
    expect(r.ok).toBe(false);
    expect(r.out).not.toContain('Enter passcode:');
    expect(auths()).toHaveLength(1);
    expect(auths()[0]!.params['auto']).toBe('passcode');
  });
});
