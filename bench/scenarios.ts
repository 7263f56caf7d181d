/**
 * The scenarios of `npm run bench`. Each returns result lines in the brief's format:
 * `{scenario, requests, accepted, rejected, lost, rps, p50, p90, p99, max, rssMb, ...extras}`.
 *
 * Besides throughput, every line carries `cpuPct` (each process, % of one core, over the run)
 * and, for the proxy under test, `cpuUsPerReq`: its CPU time per answered login. Throughput
 * moves with whatever else runs on the machine; CPU per login does much less, so comparisons
 * are made on both.
 */
import { BenchEnv, EXEMPT, NAS_SECRET, PASSWORD, type OurProxy } from './env.js';
import type { LoadResult, LoadSpec } from './loadgen.js';
import type { ProbeSpec } from './probe.js';
import { CpuMeter, RssSampler, cpuSeconds, rssMb } from './procs.js';
import { median, round, type ResultLine } from './stats.js';
import type { Login } from './wire.js';

const HOST = '127.0.0.1';
/** The end user's IP, sent as Calling-Station-Id (preauth/auth `ipaddr`). */
const CLIENT_IP = '198.51.100.7';
const TIMEOUT_MS = 10_000;
const NAS_RETRANSMIT_MS = 3000;

type Load = Omit<LoadSpec, 'host' | 'secret' | 'timeoutMs'> & { secret?: string; timeoutMs?: number };

/** Runs one load on the generator process (NAS retransmission every 3 s, 10 s timeout by default). */
export async function load(env: BenchEnv, spec: Load): Promise<LoadResult> {
  const full: LoadSpec = { host: HOST, secret: NAS_SECRET, callingStationId: CLIENT_IP, timeoutMs: TIMEOUT_MS, retransmitMs: NAS_RETRANSMIT_MS, ...spec };
  const answer = await env.loadgen.request<{ result: LoadResult }>({ kind: 'run', spec: full });
  return answer.result;
}

/** A result line from a load result. */
export function line(scenario: string, r: LoadResult, rss: number, extra: Record<string, unknown> = {}): ResultLine {
  return {
    scenario,
    requests: r.requests,
    accepted: r.accepted,
    rejected: r.rejected,
    lost: r.lost,
    rps: Math.round(r.rps),
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    rssMb: round(rss, 1),
    ...extra,
  };
}

/** Logins of `n` distinct users `<prefix>1…<prefix>n`. */
export function users(prefix: string, n: number): Login[] {
  return Array.from({ length: n }, (_, i) => ({ user: `${prefix}${i + 1}`, password: PASSWORD }));
}

/** A load result with the CPU use of the processes involved. */
export interface Measured {
  readonly result: LoadResult;
  readonly cpu: Record<string, number>;
  /** CPU µs per answered login of the process named `subject`. */
  readonly cpuUsPerReq: number;
}

/** Runs `spec` while metering `pids`; `subject` names the process under test. */
export async function measure(env: BenchEnv, spec: Load, pids: Readonly<Record<string, number>>, subject: string): Promise<Measured> {
  const pid = pids[subject] ?? 0;
  const before = cpuSeconds(pid);
  const meter = new CpuMeter(pids);
  const result = await load(env, spec);
  const answered = result.accepted + result.rejected + result.challenged;
  const cpuUsPerReq = answered ? round(((cpuSeconds(pid) - before) / answered) * 1e6, 1) : 0;
  return { result, cpu: meter.read(), cpuUsPerReq };
}

function best(runs: readonly Measured[]): Measured {
  return runs.reduce((a, b) => (b.result.rps > a.result.rps ? b : a));
}

const PAP_C = 256;
const PAP_ROUND_MS = 4000;
const PAP_ROUNDS = 4;
/** Paced rate of the latency runs: well below every contender's capacity, so latency is not queueing. */
const LATENCY_RATE = 5000;
const LATENCY_C = 64;
const LATENCY_MS = 8000;

/**
 * PAP proxy: the exempt user through our proxy vs. through FreeRADIUS-as-proxy, same upstream,
 * same load (C = 256, closed loop), rounds interleaved; the best round of each. Also the upstream
 * alone, for the capacity of CPU 0.
 */
export async function papProxy(env: BenchEnv, ours: OurProxy): Promise<ResultLine[]> {
  const pids = { authproxy: ours.pid, freeradiusProxy: env.frProxy.pid, upstream: env.upstream.pid, loadgen: env.loadgen.pid };
  const spec = (port: number): Load => papLoad(env, port, PAP_C, PAP_ROUND_MS);
  for (const port of [ours.port, env.frProxy.port, env.upstream.port]) await load(env, papLoad(env, port, PAP_C, 1500)); // warm-up
  const direct = await measure(env, spec(env.upstream.port), pids, 'upstream');
  const runs: { ours: Measured[]; fr: Measured[] } = { ours: [], fr: [] };
  for (let i = 0; i < PAP_ROUNDS; i++) {
    runs.ours.push(await measure(env, spec(ours.port), pids, 'authproxy'));
    runs.fr.push(await measure(env, spec(env.frProxy.port), pids, 'freeradiusProxy'));
  }
  const o = best(runs.ours);
  const f = best(runs.fr);
  const rounds = (m: Measured[]): number[] => m.map((x) => Math.round(x.result.rps));
  const cpuPerReq = (m: Measured[]): number => round(median(m.map((x) => x.cpuUsPerReq)), 1);
  return [
    line('pap-upstream-direct', direct.result, rssMb(env.upstream.pid), { c: PAP_C, cpuPct: direct.cpu }),
    line('pap-proxy/freeradius', f.result, rssMb(env.frProxy.pid), { c: PAP_C, cpuPct: f.cpu, cpuUsPerReq: cpuPerReq(runs.fr), roundsRps: rounds(runs.fr) }),
    line('pap-proxy/authproxy', o.result, rssMb(ours.pid), {
      c: PAP_C, cpuPct: o.cpu, cpuUsPerReq: cpuPerReq(runs.ours), roundsRps: rounds(runs.ours),
      ratioVsFreeradius: round(o.result.rps / f.result.rps, 2),
      cpuRatioVsFreeradius: round(cpuPerReq(runs.fr) / cpuPerReq(runs.ours), 2),
    }),
  ];
}

function papLoad(env: BenchEnv, port: number, concurrency: number, durationMs: number): Load {
  return { port, concurrency, durationMs, logins: [EXEMPT], ...(port === env.upstream.port ? { secret: env.upstream.secret } : {}) };
}

/**
 * Latency each proxy adds at C = 64, on a freshly started proxy: logins paced at 5,000/s (well
 * below every contender's capacity, so latency is service time, not queueing), at most 64 in
 * flight; p50/p99 through the proxy − p50/p99 straight to the upstream.
 */
export async function papLatency(env: BenchEnv, ours: OurProxy): Promise<ResultLine[]> {
  const pids = { authproxy: ours.pid, freeradiusProxy: env.frProxy.pid, upstream: env.upstream.pid, loadgen: env.loadgen.pid };
  const paced = (port: number): Load => ({ ...papLoad(env, port, LATENCY_C, LATENCY_MS), ratePerSec: LATENCY_RATE });
  await load(env, { ...paced(ours.port), durationMs: 1000 }); // warm-up
  const direct = await measure(env, paced(env.upstream.port), pids, 'upstream');
  const o = await measure(env, paced(ours.port), pids, 'authproxy');
  const f = await measure(env, paced(env.frProxy.port), pids, 'freeradiusProxy');
  const added = (m: Measured, p: 'p50' | 'p99'): number => round(m.result.latency[p] - direct.result.latency[p]);
  return [
    line('pap-latency-c64/authproxy', o.result, rssMb(ours.pid), {
      c: LATENCY_C, ratePerSec: LATENCY_RATE, cpuPct: o.cpu, cpuUsPerReq: o.cpuUsPerReq,
      upstreamDirectP50: direct.result.latency.p50, upstreamDirectP99: direct.result.latency.p99,
      proxyAddedP50: added(o, 'p50'), proxyAddedP99: added(o, 'p99'),
      freeradiusAddedP50: added(f, 'p50'), freeradiusAddedP99: added(f, 'p99'),
    }),
  ];
}

/** Our proxy alone on the PAP path for `ms` (for `--profile`). */
export async function papOurs(env: BenchEnv, ours: OurProxy, ms = 10_000): Promise<ResultLine[]> {
  const pids = { authproxy: ours.pid, upstream: env.upstream.pid, loadgen: env.loadgen.pid };
  const m = await measure(env, { port: ours.port, concurrency: PAP_C, durationMs: ms, logins: [EXEMPT] }, pids, 'authproxy');
  return [line('pap-ours', m.result, rssMb(ours.pid), { c: PAP_C, cpuPct: m.cpu, cpuUsPerReq: m.cpuUsPerReq })];
}

const FULL_USERS = users('bench', 1000);

/** Full 2FA path (primary via FreeRADIUS + preauth + auth, push approved at once) at C = 1, 64, 512. */
export async function fullPath(env: BenchEnv, ours: OurProxy): Promise<ResultLine[]> {
  const pids = { authproxy: ours.pid, duoApi: env.duo.pid, upstream: env.upstream.pid, loadgen: env.loadgen.pid };
  const out: ResultLine[] = [];
  await load(env, { port: ours.port, concurrency: 64, durationMs: 1500, logins: FULL_USERS }); // warm-up
  for (const c of [1, 64, 512]) {
    const m = await measure(env, { port: ours.port, concurrency: c, durationMs: 4000, logins: FULL_USERS }, pids, 'authproxy');
    out.push(line(`full-2fa-c${c}`, m.result, rssMb(ours.pid), { c, cpuPct: m.cpu, cpuUsPerReq: m.cpuUsPerReq }));
    await env.duo.request({ kind: 'reset' });
  }
  return out;
}

const PENDING = 10_000;
const PUSH_AFTER_MS = 20_000;
/** Arrival rate of the pending logins: all 10,000 are in flight 5 s in, 15 s before the first push is approved. */
const PENDING_RATE = 2000;

/**
 * 10,000 logins in flight, each push approved after 20 s, NASes retransmitting every 3 s: peak
 * RSS of our proxy, exactly one auth call per login (counted by the fake API), none lost.
 * The logins arrive at 2,000/s: a morning rush, not 10,000 datagrams in the same millisecond
 * (see bench/README.md for what that does to the upstream RADIUS wait queue).
 */
export async function pendingPushes(env: BenchEnv, ours: OurProxy): Promise<ResultLine[]> {
  const logins = users('push', PENDING);
  await env.duo.request({ kind: 'reset' });
  await env.duo.request({ kind: 'setUsers', names: logins.map((l) => l.user), pushAfterMs: PUSH_AFTER_MS });
  const rssBefore = rssMb(ours.pid);
  const sampler = new RssSampler([ours.pid]);
  const m = await measure(env, { port: ours.port, concurrency: PENDING, total: PENDING, logins, timeoutMs: 60_000, ratePerSec: PENDING_RATE }, { authproxy: ours.pid, duoApi: env.duo.pid }, 'authproxy');
  const peak = sampler.stop(ours.pid);
  const calls = await env.duo.request<Record<string, number>>({ kind: 'summary', prefix: 'push' });
  await env.duo.request({ kind: 'reset' });
  return [
    line('pending-pushes-10k', m.result, peak, {
      rssBeforeMb: round(rssBefore, 1), preauthCalls: calls['preauth'], authCalls: calls['auth'],
      arrivalRatePerSec: PENDING_RATE, usersWithAuth: calls['usersWithAuth'], maxAuthPerUser: calls['maxAuthPerUser'], retransmissions: m.result.retransmissions,
      tlsConnections: calls['tlsConnections'], cpuPct: m.cpu, cpuUsPerReq: m.cpuUsPerReq,
    }),
  ];
}

/** Start-up: `authproxyctl start` → first answered login (exempt user), then idle RSS; median of `runs`. */
export async function startup(env: BenchEnv, runs = 3): Promise<ResultLine[]> {
  const times: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const p = await env.startProxy();
    const spec: ProbeSpec = { host: HOST, port: p.port, secret: NAS_SECRET, login: EXEMPT, intervalMs: 5, timeoutMs: 20_000 };
    const { answeredAt } = await env.loadgen.request<{ answeredAt: number }>({ kind: 'probe', spec });
    times.push(answeredAt - p.spawnedAt);
    await p.started;
    await new Promise((r) => setTimeout(r, 1000));
    rss.push(rssMb(p.pid));
    await p.stop();
  }
  const t = round(median(times), 1);
  return [
    {
      scenario: 'startup', requests: runs, accepted: runs, rejected: 0, lost: 0, rps: 0, p50: t, p90: t, p99: t,
      max: round(Math.max(...times), 1), rssMb: round(median(rss), 1), firstAnswerMs: times.map((x) => round(x, 1)), idleRssMb: round(median(rss), 1),
    },
  ];
}
