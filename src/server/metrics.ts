/**
 * Metrics (our extension; Duo's proxy has none): `GET /metrics` in the Prometheus text format and
 * `GET /health`, on `[main] metrics_port` (0 = off) at `metrics_interface` (default loopback).
 * Everything is read from counters the components already keep, so the hot path pays nothing.
 */
import { createServer, type Server } from 'node:http';
import type { AuthEvent, AuthEventSink } from '../proxy/auth-events.js';
import type { Proxy } from './proxy.js';

/** Counts auth events by stage and status while passing them on (for `authproxy_auth_events_total`). */
export class CountingAuthEvents implements AuthEventSink {
  readonly counts = new Map<string, number>();
  constructor(private readonly next: AuthEventSink) {}
  write(event: AuthEvent): void {
    const key = `${event.server_section}\u0000${event.auth_stage}\u0000${event.status}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.next.write(event);
  }
}

type Labels = Record<string, string | number>;

function esc(v: string | number): string {
  return String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Accumulates samples and renders Prometheus text exposition format 0.0.4. */
class Exposition {
  private readonly out: string[] = [];
  private readonly declared = new Set<string>();
  sample(name: string, type: 'counter' | 'gauge', help: string, value: number, labels: Labels = {}): void {
    if (!this.declared.has(name)) {
      this.declared.add(name);
      this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    }
    const l = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`).join(',');
    this.out.push(`${name}${l ? `{${l}}` : ''} ${value}`);
  }
  text(): string {
    return this.out.join('\n') + '\n';
  }
}

/** Renders every metric of a running proxy. */
export function renderMetrics(proxy: Proxy, events: CountingAuthEvents | undefined, startedAt: number): string {
  const e = new Exposition();
  e.sample('authproxy_up', 'gauge', 'The proxy is serving.', 1);
  e.sample('authproxy_uptime_seconds', 'gauge', 'Seconds since start-up.', Math.round((Date.now() - startedAt) / 1000));
  for (const l of proxy.listeners) {
    const a = l.address;
    const listener = a ? `${a.address}:${a.port}` : 'closed';
    const st = l.stats;
    e.sample('authproxy_radius_received_total', 'counter', 'Datagrams received.', st.received, { listener });
    e.sample('authproxy_radius_duplicates_total', 'counter', 'Retransmissions absorbed by the duplicate cache.', st.duplicates, { listener });
    e.sample('authproxy_radius_errors_total', 'counter', 'Requests whose processing failed (no reply sent).', st.errors, { listener });
    e.sample('authproxy_radius_status_server_total', 'counter', 'Status-Server requests answered (RFC 5997).', st.statusServer, { listener });
    for (const [code, n] of st.replies) e.sample('authproxy_radius_replies_total', 'counter', 'Replies sent, by RADIUS code.', n, { listener, code });
    for (const [reason, n] of st.drops) e.sample('authproxy_radius_drops_total', 'counter', 'Datagrams dropped, by reason.', n, { listener, reason });
    e.sample('authproxy_radius_inflight', 'gauge', 'Logins being processed (e.g. waiting for a push).', l.inflightCount, { listener });
  }
  for (const b of proxy.builtSections) {
    const section = b.section.name;
    e.sample('authproxy_challenges_pending', 'gauge', 'Access-Challenges waiting for an answer.', b.challenges.size, { section });
    const g = b.guard?.counters;
    if (g) for (const [k, v] of Object.entries(g)) e.sample('authproxy_guard_total', 'counter', 'Brute-force and abuse protection refusals, by kind.', v, { section, kind: k });
  }
  for (const [key, n] of events?.counts ?? []) {
    const [section, stage, status] = key.split('\u0000') as [string, string, string];
    e.sample('authproxy_auth_events_total', 'counter', 'Authentication events, by stage and status (as in authevents.log).', n, { section, stage, status });
  }
  const mem = process.memoryUsage();
  e.sample('authproxy_process_resident_memory_bytes', 'gauge', 'Resident set size.', mem.rss);
  e.sample('authproxy_process_heap_used_bytes', 'gauge', 'V8 heap in use.', mem.heapUsed);
  return e.text();
}

/** The metrics HTTP endpoint. */
export class MetricsServer {
  private server: Server | undefined;
  private readonly startedAt = Date.now();

  /** `proxy` is read on every scrape, so a reload's new proxy is reported. */
  constructor(
    private readonly proxy: () => Proxy,
    private readonly events: CountingAuthEvents | undefined,
  ) {}

  /** Listens on `address:port`; resolves with the bound port. */
  async start(address: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET') {
        res.writeHead(405, { allow: 'GET' }).end();
      } else if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(renderMetrics(this.proxy(), this.events, this.startedAt));
      } else if (path === '/health') {
        const listeners = this.proxy().listeners;
        const ok = listeners.length > 0 && listeners.every((l) => l.address !== undefined);
        res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not listening\n');
      } else {
        res.writeHead(404).end();
      }
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => resolve());
    });
    const a = server.address();
    return typeof a === 'object' && a ? a.port : port;
  }

  /** Stops listening. */
  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
