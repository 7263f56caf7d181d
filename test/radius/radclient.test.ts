/**
 * Interop: FreeRADIUS's own client, `radclient` (freeradius-utils), against OUR RadiusServer.
 * radclient verifies the Response Authenticator (and the Message-Authenticator, when present)
 * of every reply, so "Received Access-Accept" means our signing is right.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/log/logger.js';
import { Attr } from '../../src/radius/dictionary.js';
import { RadiusServer } from '../../src/radius/server.js';
import type { Outcome, RadiusHandler, RadiusRequest } from '../../src/radius/types.js';

const SECRET = 'radclient-secret';

/** alice/alicepw → Accept with a Reply-Message; slowpoke waits 2.5 s first; anyone else → Reject. */
class SimpleHandler implements RadiusHandler {
  readonly calls: RadiusRequest[] = [];
  async handle(req: RadiusRequest): Promise<Outcome> {
    this.calls.push(req);
    const pw = req.password.state === 'ok' ? req.password.value : undefined;
    if (req.userName === 'slowpoke') await new Promise((r) => setTimeout(r, 2500));
    if ((req.userName === 'alice' || req.userName === 'slowpoke') && pw === 'alicepw') {
      return { kind: 'accept', replyMessage: `Welcome ${req.userName}`, attributes: [{ type: Attr.Class, value: Buffer.from('staff') }] };
    }
    return { kind: 'reject', replyMessage: 'Access denied' };
  }
}

interface RadclientRun {
  readonly code: number;
  readonly output: string;
}

/** Runs `radclient -x <opts> 127.0.0.1:<port> auth <secret>` with `input` on stdin. */
function radclient(port: number, input: string, opts: { secret?: string; args?: string[] } = {}): Promise<RadclientRun> {
  const args = ['-x', ...(opts.args ?? ['-r', '1', '-t', '2']), `127.0.0.1:${port}`, 'auth', opts.secret ?? SECRET];
  return new Promise((resolve) => {
    const child = execFile('radclient', args, { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
    child.stdin?.end(input);
  });
}

/** The attribute lines radclient printed under its "Received …" line. */
function receivedAttributes(output: string): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Received Access-'));
  if (start < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!/^\s/.test(l) || l.trim() === '') break;
    out.push(l.trim());
  }
  return out;
}

describe('radclient against our RadiusServer', () => {
  const handler = new SimpleHandler();
  const { log } = memoryLogger();
  let server: RadiusServer;
  let port: number;

  beforeAll(async () => {
    server = new RadiusServer({
      address: '127.0.0.1',
      port: 0,
      log,
      sections: [{ name: 'radius_server_auto', clients: [{ network: '127.0.0.1', secret: SECRET }], handler, requireMessageAuthenticator: false, limitProxyState: true, pwCodec: 'utf-8' }],
    });
    port = (await server.start()).port;
  });
  afterAll(async () => {
    await server.close();
  });

  it('accepts alice: radclient verifies the reply and lists Message-Authenticator as the first attribute', async () => {
    const r = await radclient(port, 'User-Name = "alice", User-Password = "alicepw"\n');
    expect(r.output).toMatch(/^Received Access-Accept Id \d+ from 127\.0\.0\.1:\d+/m);
    expect(r.code).toBe(0);
    const attrs = receivedAttributes(r.output);
    expect(attrs[0]).toMatch(/^Message-Authenticator = 0x[0-9a-f]{32}$/);
    expect(attrs).toContain('Reply-Message = "Welcome alice"');
    expect(attrs).toContain('Class = 0x7374616666');
  });

  it('rejects a wrong password with Access-Reject (also Message-Authenticator first)', async () => {
    const r = await radclient(port, 'User-Name = "alice", User-Password = "nope"\n');
    expect(r.output).toMatch(/^Received Access-Reject Id \d+/m);
    const attrs = receivedAttributes(r.output);
    expect(attrs[0]).toMatch(/^Message-Authenticator = /);
    expect(attrs).toContain('Reply-Message = "Access denied"');
  });

  it('a Message-Authenticator sent by radclient is verified and the login proceeds', async () => {
    const r = await radclient(port, 'User-Name = "alice", User-Password = "alicepw", Message-Authenticator = 0x00\n');
    expect(r.output).toMatch(/^Received Access-Accept/m);
  });

  it('with a wrong shared secret radclient gets no reply it can verify', async () => {
    const r = await radclient(port, 'User-Name = "alice", User-Password = "alicepw"\n', { secret: 'wrong-secret', args: ['-r', '1', '-t', '1'] });
    expect(r.output).not.toMatch(/^Received Access-/m);
    expect(r.output).toMatch(/Reply verification failed: .*invalid Message-Authenticator/);
    expect(r.code).not.toBe(0);
  });

  it('retransmissions (-r 3 -t 1) while the handler takes 2.5 s: one handler call, one Access-Accept', async () => {
    const before = handler.calls.filter((c) => c.userName === 'slowpoke').length;
    const r = await radclient(port, 'User-Name = "slowpoke", User-Password = "alicepw"\n', { args: ['-r', '3', '-t', '1'] });
    expect(r.output.match(/^Received Access-Accept/gm)).toHaveLength(1);
    const sent = r.output.match(/^Sent Access-Request Id \d+/gm)!;
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(new Set(sent).size).toBe(1); // the same Identifier: true retransmissions
    expect(handler.calls.filter((c) => c.userName === 'slowpoke').length - before).toBe(1);
  });
});
