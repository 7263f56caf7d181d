/**
 * Spec §5.4 I with real parts: FreeRADIUS's `radclient` as the NAS sends MS-CHAPv2 logins
 * (challenge and response computed by test/e2e/mschap-v2.ts from RFC 2759) to the real proxy,
 * whose `[radius_client]` forwards them to a real FreeRADIUS checking the response (rlm_mschap);
 * Duo is the fake Auth API over HTTPS.
 *
 * radclient verifies the reply's authenticators and decrypts MS-MPPE-Send-Key/Recv-Key with the
 * NAS secret and its own Request Authenticator before printing them; that the printed keys equal
 * the ones derived here from the password (RFC 3079 §3.4) proves the proxy re-encrypted them for
 * the NAS (spec §11). The MS-CHAP2-Success must carry the Authenticator Response of RFC 2759 §8.7.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smartphone, startFakeDuoApi, type FakeDuoApi } from '../fakes/duo-api/index.js';
import { startFreeRadius, type FreeRadiusHandle } from '../harness/freeradius.js';
import { NAS_SECRET, radiusClientSection, startE2e, type E2e } from './env.js';
import { mschapV2Login, type MschapV2Login } from './mschap-v2.js';

const SUCCESS = 'Success. Logging you in...';
const USERS = `alice   Cleartext-Password := "alicepw"
        Reply-Message := "Hello alice"
`;

interface RadclientRun {
  readonly exit: number;
  readonly output: string;
}

let fr: FreeRadiusHandle;
let duo: FakeDuoApi;
let env: E2e;

function radclient(input: string): Promise<RadclientRun> {
  const args = ['-x', '-r', '1', '-t', '10', `127.0.0.1:${env.port}`, 'auth', NAS_SECRET];
  return new Promise((resolve) => {
    const child = execFile('radclient', args, { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ exit: err ? (typeof err.code === 'number' ? err.code : -1) : 0, output: `${stdout}${stderr}` });
    });
    child.stdin?.end(input);
  });
}

/** The attribute lines radclient printed under its "Received …" line, as name → value. */
function received(output: string): { code: string; attrs: Map<string, string> } {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Received Access-'));
  const attrs = new Map<string, string>();
  if (start < 0) return { code: 'none', attrs };
  for (const l of lines.slice(start + 1)) {
    const m = /^\s+([\w-]+) = (.*)$/.exec(l);
    if (!m) break;
    attrs.set(m[1]!, m[2]!);
  }
  return { code: /^Received (Access-\w+)/.exec(lines[start]!)![1]!, attrs };
}

function input(user: string, l: MschapV2Login): string {
  return `User-Name = "${user}", MS-CHAP-Challenge = 0x${l.challenge.toString('hex')}, MS-CHAP2-Response = 0x${l.response.toString('hex')}, Message-Authenticator = 0x00\n`;
}

/** radclient prints octets as 0x + lower-case hex, and MS-CHAP2-Success as 0x<ident><"S=..." in hex>. */
const octets = (b: Buffer) => `0x${b.toString('hex')}`;

beforeAll(async () => {
  [fr, duo] = await Promise.all([startFreeRadius({ users: USERS }), startFakeDuoApi()]);
  // pass_through_all on the client: the upstream's MPPE keys (and the rest) reach the NAS (spec §3.1).
  env = await startE2e({ duo, clientSection: radiusClientSection(fr, 'pass_through_all=true') });
});
afterAll(async () => {
  await env?.close();
  await duo?.close();
  await fr?.stop();
});

describe('MS-CHAPv2 through the proxy to FreeRADIUS, radclient as the NAS (spec §5.4 I)', () => {
  it('right password, push approved → Access-Accept with the MS-CHAP2-Success the peer expects and MPPE keys readable by the NAS', async () => {
    await duo.reset();
    duo.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')], push: { result: 'allow', status: SUCCESS } });
    const login = mschapV2Login('alice', 'alicepw', 7);
    const r = await radclient(input('alice', login));
    const got = received(r.output);
    expect(got.code).toBe('Access-Accept');
    expect(r.exit).toBe(0);
    expect(got.attrs.get('MS-CHAP2-Success')).toBe(octets(Buffer.concat([Buffer.from([7]), Buffer.from(login.authenticatorResponse)])));
    expect(got.attrs.get('MS-MPPE-Send-Key')).toBe(octets(login.keys.send));
    expect(got.attrs.get('MS-MPPE-Recv-Key')).toBe(octets(login.keys.recv));
    expect(got.attrs.get('Reply-Message')).toBe(`"${SUCCESS}"`);
    expect(duo.calls.filter((c) => c.endpoint === 'auth')).toHaveLength(1);
  });

  it('right password, push denied → Access-Reject with Duo\'s text and MS-CHAP-Error 691, no keys', async () => {
    await duo.reset();
    duo.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')], push: { result: 'deny', status: 'Login request denied.' } });
    const r = await radclient(input('alice', mschapV2Login('alice', 'alicepw')));
    const got = received(r.output);
    expect(got.code).toBe('Access-Reject');
    expect(got.attrs.get('Reply-Message')).toBe('"Login request denied."');
    expect(got.attrs.get('MS-CHAP-Error')).toBe('"\\000E=691 R=0 V=3"'); // radclient prints octal escapes
    expect(got.attrs.has('MS-MPPE-Send-Key')).toBe(false);
  });

  it('wrong password → the upstream\'s MS-CHAP-Error relayed, Duo never called', async () => {
    await duo.reset();
    const r = await radclient(input('alice', mschapV2Login('alice', 'wrong', 1)));
    const got = received(r.output);
    expect(got.code).toBe('Access-Reject');
    expect(got.attrs.get('MS-CHAP-Error')).toMatch(/^"\\001E=691 R=1 C=[0-9a-f]{32} V=3 M=Authentication rejected"$/);
    expect(duo.calls).toHaveLength(0);
  });
});
