/**
 * `authproxyctl test-login` against a scripted RADIUS server on real UDP (test/support's
 * FakeUpstream): verified replies only, identical retransmissions, exit codes, and the target taken
 * from a config file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runTestLogin, type TestLoginOptions } from '../../src/cli/test-login.js';
import type { CliContext } from '../../src/cli/main.js';
import { textAttribute } from '../../src/radius/access-request.js';
import { Attr } from '../../src/radius/dictionary.js';
import { decryptUserPassword } from '../../src/radius/password.js';
import { parsePacket, type ParsedPacket } from '../../src/radius/packet.js';
import { Code } from '../../src/radius/types.js';
import { FakeUpstream, signedReply } from '../support/fake-upstream.js';

const SECRET = 'test-login-secret';
let nas: FakeUpstream;
let dir: string;

function ctx(): CliContext & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { installDir: dir, stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), setExitCode: () => undefined };
}

const accept = (text: string) => (req: Buffer): Buffer[] => [
  signedReply(req, { code: Code.AccessAccept, secret: Buffer.from(SECRET), attributes: [textAttribute(Attr.ReplyMessage, text)] }),
];

function login(o: Partial<TestLoginOptions> = {}): TestLoginOptions {
  return { user: 'alice', password: 'pw', secret: SECRET, host: '127.0.0.1', port: nas.port, timeoutSec: 3, retransmitSec: 0.2, ...o };
}

function parsed(i: number): ParsedPacket {
  const p = parsePacket(nas.received[i]?.data ?? Buffer.alloc(0));
  if ('malformed' in p) throw new Error(p.reason);
  return p;
}

beforeAll(async () => {
  nas = await FakeUpstream.open();
  dir = mkdtempSync(join(tmpdir(), 'test-login-'));
});
afterAll(async () => {
  await nas.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  nas.received.length = 0;
  nas.responder = undefined;
});

describe('test-login', () => {
  it('prints Access-Accept and the Reply-Message, exit 0; sends PAP with Message-Authenticator first', async () => {
    nas.responder = accept('Success. Logging you in...');
    const c = ctx();
    expect(await runTestLogin(login(), c)).toBe(0);
    expect(c.stdout).toEqual(['Access-Accept', 'Reply-Message: Success. Logging you in...']);
    const req = parsed(0);
    expect(req.code).toBe(Code.AccessRequest);
    expect(req.attributes[0]?.type).toBe(Attr.MessageAuthenticator);
    expect(req.attributes.find((a) => a.type === Attr.UserName)?.value.toString()).toBe('alice');
    const hidden = req.attributes.find((a) => a.type === Attr.UserPassword)?.value ?? Buffer.alloc(0);
    expect(decryptUserPassword(hidden, Buffer.from(SECRET), req.authenticator)?.toString().replace(/\0+$/, '')).toBe('pw');
  });

  it('prints Access-Reject, exit 1', async () => {
    nas.responder = (req) => [signedReply(req, { code: Code.AccessReject, secret: Buffer.from(SECRET), attributes: [textAttribute(Attr.ReplyMessage, 'Login request denied.')] })];
    const c = ctx();
    expect(await runTestLogin(login(), c)).toBe(1);
    expect(c.stdout).toEqual(['Access-Reject', 'Reply-Message: Login request denied.']);
  });

  it('retransmits the identical packet until a reply comes', async () => {
    nas.responder = (req, fake) => (fake.received.length >= 3 ? accept('ok')(req) : undefined);
    expect(await runTestLogin(login(), ctx())).toBe(0);
    expect(nas.received.length).toBe(3);
    expect(nas.received[1]?.data.equals(nas.received[0]?.data ?? Buffer.alloc(0))).toBe(true);
    expect(nas.received[2]?.data.equals(nas.received[0]?.data ?? Buffer.alloc(0))).toBe(true);
  });

  it('ignores replies with a bad Response Authenticator or no Message-Authenticator', async () => {
    nas.responder = (req) => [
      signedReply(req, { code: Code.AccessAccept, secret: Buffer.from(SECRET), badResponseAuthenticator: true }),
      signedReply(req, { code: Code.AccessAccept, secret: Buffer.from(SECRET), messageAuthenticator: false }),
      signedReply(req, { code: Code.AccessAccept, secret: Buffer.from(SECRET), badMessageAuthenticator: true }),
      signedReply(req, { code: Code.AccessReject, secret: Buffer.from(SECRET) }),
    ];
    const c = ctx();
    expect(await runTestLogin(login(), c)).toBe(1);
    expect(c.stdout).toEqual(['Access-Reject']);
    expect(c.stderr.filter((l) => l.startsWith('test-login: ignored a reply: '))).toEqual([
      'test-login: ignored a reply: invalid Response Authenticator',
      'test-login: ignored a reply: missing Message-Authenticator',
      'test-login: ignored a reply: invalid Message-Authenticator',
    ]);
  });

  it('gives up after --timeout without a reply, exit 1', async () => {
    const c = ctx();
    expect(await runTestLogin(login({ timeoutSec: 1 }), c)).toBe(1);
    expect(c.stdout).toEqual(['No reply within 1 s']);
    expect(nas.received.length).toBeGreaterThanOrEqual(4);
  });

  it('takes port, secret and a NAS address inside radius_ip_1 from --config', async () => {
    const cfg = join(dir, 'authproxy.cfg');
    writeFileSync(cfg, `[duo_only_client]\n\n[radius_server_auto]\nclient=duo_only_client\nikey=DIAAAAAAAAAAAAAAAAAA\nskey=${'s'.repeat(40)}\napi_host=127.0.0.1\nradius_ip_1=127.0.0.0/8\nradius_secret_1=${SECRET}\nport=${nas.port}\n`);
    nas.responder = accept('hi');
    const c = ctx();
    expect(await runTestLogin({ user: 'bob', password: 'x', config: cfg, timeoutSec: 3 }, c)).toBe(0);
    expect(nas.received[0]?.from.address).toBe('127.0.0.1');
    expect(parsed(0).attributes.find((a) => a.type === Attr.CallingStationId)?.value.toString()).toBe('127.0.0.1');
  });

  it('answers usage errors with exit 2 and config errors with 66', async () => {
    const c = ctx();
    expect(await runTestLogin({ user: 'a', password: 'b' }, c)).toBe(2);
    expect(c.stderr).toEqual(['test-login: give --secret or --config']);
    expect(await runTestLogin(login({ password: 'x'.repeat(129) }), ctx())).toBe(2);
    expect(await runTestLogin({ user: 'a', password: 'b', config: join(dir, 'missing.cfg') }, ctx())).toBe(66);
    expect(nas.received).toHaveLength(0);
  });
});
