/**
 * The metrics endpoint (our extension): Prometheus text with the listener counters, auth events
 * by stage/status, and /health — over real HTTP while the real proxy serves real UDP logins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smartphone } from '../fakes/duo-api/index.js';
import { freeTcpPort } from '../harness/common.js';
import { startE2e, type E2e } from '../e2e/env.js';

describe('metrics endpoint', () => {
  let env: E2e;
  let port: number;
  beforeAll(async () => {
    port = await freeTcpPort();
    env = await startE2e({ clientSection: '[duo_only_client]', mainOptions: `metrics_port=${port}` });
    env.duo.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')] });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('counts replies, drops and auth events, and reports health', async () => {
    expect((await env.login('alice', 'x'))?.code).toBe(2);
    expect((await env.login('alice', ''))?.code).toBe(3);
    env.nas.send(Buffer.from('garbage'), env.port);
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    const listener = `127.0.0.1:${env.port}`;
    expect(text).toContain(`authproxy_radius_replies_total{listener="${listener}",code="2"} 1`);
    expect(text).toContain(`authproxy_radius_replies_total{listener="${listener}",code="3"} 1`);
    expect(text).toContain(`authproxy_radius_drops_total{listener="${listener}",reason="Packet header is corrupt"} 1`);
    expect(text).toContain('authproxy_auth_events_total{section="radius_server_auto",stage="Secondary authentication",status="Allow"} 1');
    expect(text).toContain('authproxy_auth_events_total{section="radius_server_auto",stage="Primary authentication",status="Error"} 1');
    expect(text).toMatch(/^# TYPE authproxy_radius_inflight gauge$/m);
    expect(text).not.toContain(env.duo.skey);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
  });

  it('is off by default', async () => {
    const other = await startE2e({ clientSection: '[duo_only_client]' });
    try {
      expect(other.authLog()).not.toContain('Metrics on');
      expect(env.authLog()).toContain(`Metrics on http://127.0.0.1:${port}/metrics`);
    } finally {
      await other.close();
    }
  });
});
