/**
 * The morning-rush case (spec §5.3.1, §10 item 14, security.md §0.1): a NAS retransmits the
 * identical Access-Request every 3 s while a push takes 20 s. Exactly one preauth, one auth call
 * and one answer per login; a retransmission after the answer gets the byte-identical reply.
 * Both API dialects run side by side (v2 polls auth_status, still one auth).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smartphone, startFakeDuoApi, type FakeDuoApi } from '../fakes/duo-api/index.js';
import { startSlapd, type SlapdHandle } from '../harness/slapd.js';
import { papRequest } from '../support/udp-client.js';
import { NAS_SECRET, slapdClientSection, startE2e, type E2e } from './env.js';

describe('NAS retransmitting every 3 s during a 20 s push', () => {
  let slapd: SlapdHandle;
  const duos: FakeDuoApi[] = [];
  const envs: E2e[] = [];

  beforeAll(async () => {
    slapd = await startSlapd();
    for (const apiVersion of [1, 2]) {
      const duo = await startFakeDuoApi();
      duo.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')], push: { result: 'allow', afterMs: 20_000, status: 'Success. Logging you in...' } });
      duos.push(duo);
      envs.push(await startE2e({ duo, clientSection: slapdClientSection(slapd), serverOptions: `api_version=${apiVersion}` }));
    }
  }, 60_000);
  afterAll(async () => {
    for (const e of envs) await e.close();
    for (const d of duos) await d.close();
    await slapd?.stop();
  });

  async function nasLogin(env: E2e): Promise<{ replies: Buffer[]; sent: number }> {
    const req = papRequest({ user: 'alice', password: 'alicepw', secret: NAS_SECRET, identifier: 42 });
    let sent = 0;
    const send = (): void => {
      env.nas.send(req, env.port);
      sent++;
    };
    send();
    const timer = setInterval(send, 3000);
    const first = await env.nas.next(25_000);
    clearInterval(timer);
    // Nothing else may arrive while the push was pending; after the answer, a retransmission
    // is answered from the cache with the same bytes.
    const extra = env.nas.replies.splice(0);
    send();
    const cached = await env.nas.next(2000);
    return { replies: [first, ...extra, cached].filter((b): b is Buffer => b !== undefined), sent };
  }

  it('one auth call and one answer per login, in both dialects', async () => {
    const results = await Promise.all(envs.map((env) => nasLogin(env)));
    for (const [i, r] of results.entries()) {
      const duo = duos[i]!;
      expect(r.sent).toBeGreaterThanOrEqual(8); // 20 s / 3 s + the original + one after the answer
      expect(r.replies).toHaveLength(2); // the answer, then the cached copy
      expect(r.replies[1]!.equals(r.replies[0]!)).toBe(true);
      expect(r.replies[0]![0]).toBe(2);
      expect(duo.calls.filter((c) => c.endpoint === 'preauth')).toHaveLength(1);
      expect(duo.calls.filter((c) => c.endpoint === 'auth' && !c.path.endsWith('auth_status'))).toHaveLength(1);
    }
    expect(envs[0]!.authLog().match(/Received duplicate request/g)?.length).toBeGreaterThanOrEqual(7);
  }, 40_000);
});
