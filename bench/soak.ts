/**
 * `npm run soak`: steady load through the whole path — a NAS (soak-nas.ts) → the real proxy in
 * its own process (`[radius_server_auto]`) → primary auth on a real FreeRADIUS (`[radius_client]`,
 * default) or a real slapd (`[ad_client]`, --primary ldap) → the fake Duo Auth API in its own
 * process answering preauth and the push at once. Reports lost logins (must be 0), latency
 * percentiles, and the proxy's RSS every 10 s (must be flat once the 30 s duplicate cache has
 * filled). One JSON summary line; exit code 1 when a check failed.
 *
 * Options: --rate N logins/s (500) --duration S (300, including a linear ramp of --ramp S, 10)
 * --primary radius|ldap (radius). `latencyAfterRampMs` counts the logins answered after the ramp.
 */
import { duoSectionLines } from '../test/fakes/duo-api/index.js';
import { measuredCommit } from './procs.js';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freeUdpPort } from '../test/harness/common.js';
import { startFreeRadius } from '../test/harness/freeradius.js';
import { startSlapd } from '../test/harness/slapd.js';
import { ProxyChild } from './fuzz-proxy-host.js';
import { LoadNas, percentile } from './soak-nas.js';

const MB = 1024 * 1024;
const mb = (n: number): number => Math.round((n / MB) * 10) / 10;
const round = (n: number): number => Math.round(n * 100) / 100;
const NAS_SECRET = 'soak-nas-secret';
const USERS = [['alice', 'alicepw'], ['bob', 'bobpw']] as const;
/** Spec §5.3.1: answered requests are kept 30 s; memory is judged from ramp + 30 s on. */
const WARMUP_S = 30;
const LOST_AFTER_MS = 10_000;

interface DuoInfo {
  readonly port: number;
  readonly ikey: string;
  readonly skey: string;
  readonly caCertPath: string;
}

function options(): { rate: number; duration: number; ramp: number; primary: 'radius' | 'ldap' } {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '500' }, duration: { type: 'string', default: '300' }, primary: { type: 'string', default: 'radius' },
      ramp: { type: 'string', default: '10' },
    },
  });
  const primary = values.primary;
  if (primary !== 'radius' && primary !== 'ldap') throw new Error('--primary must be radius or ldap');
  return { rate: Number(values.rate), duration: Number(values.duration), ramp: Number(values.ramp), primary };
}

async function startDuoChild(): Promise<{ child: ChildProcess; info: DuoInfo }> {
  const child = fork(fileURLToPath(new URL('./soak-duo-child.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const info = await new Promise<DuoInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fake Duo child exited (${code})`)));
    child.on('message', (m: DuoInfo & { type: string }) => m.type === 'ready' && resolve(m));
  });
  return { child, info };
}

async function startPrimary(kind: 'radius' | 'ldap'): Promise<{ section: string; stop: () => Promise<void> }> {
  if (kind === 'radius') {
    const fr = await startFreeRadius({ secret: 'soak-upstream' });
    return { section: `[radius_client]\nhost=${fr.host}\nport=${fr.port}\nsecret=${fr.secret}\nretry_wait=2`, stop: () => fr.stop() };
  }
  const s = await startSlapd();
  const section = `[ad_client]\nhost=${s.host}\nport=${s.port}\nservice_account_username=${s.adminDn}\nservice_account_password=${s.adminPw}\nsearch_dn=${s.baseDn}\nusername_attribute=uid\nauth_type=plain\ntimeout=5`;
  return { section, stop: () => s.stop() };
}

function configText(dir: string, duo: DuoInfo, primary: string, port: number): string {
  return `[main]
http_ca_certs_file=${duo.caCertPath}
log_dir=${dir}/log
log_file=true

${primary}

[radius_server_auto]
${duoSectionLines(duo)}
api_timeout=10
radius_ip_1=127.0.0.1
radius_secret_1=${NAS_SECRET}
interface=127.0.0.1
port=${port}
`;
}

/** Logins due after `ms`: a linear ramp to `rate` over `rampMs`, then `rate`/s. */
function dueBy(ms: number, rate: number, rampMs: number): number {
  if (ms < rampMs) return Math.floor((rate * ms * ms) / (2 * rampMs * 1000));
  return Math.floor((rate * (rampMs / 2 + (ms - rampMs))) / 1000);
}

/** Sends at `rate`/s (after a ramp of `rampS`) for `seconds`, sampling every 10 s. */
async function drive(nas: LoadNas, proxy: ProxyChild, rate: number, seconds: number, rampS: number) {
  const windows: { t: number; sent: number; answered: number; p99: number; rssMB: number; heapMB: number; buffersMB: number; inflight: number; loopDelayMaxMs: number; cpuPct: number }[] = [];
  let cpuMs = (await proxy.stats()).cpuMs;
  const started = performance.now();
  const sent0 = nas.counts.sent;
  let nextSample = 10_000;
  let sentAtSample = sent0;
  let rampIndex = -1;
  while (performance.now() - started < seconds * 1000 && !proxy.crashed) {
    const elapsed = performance.now() - started;
    if (rampIndex < 0 && elapsed >= rampS * 1000) rampIndex = nas.all.length;
    const due = dueBy(elapsed, rate, rampS * 1000) - (nas.counts.sent - sent0);
    for (let i = 0; i < due; i++) if (!nas.send()) break;
    nas.expire(LOST_AFTER_MS);
    if (elapsed >= nextSample) {
      const s = await proxy.stats();
      const w = nas.takeWindow();
      windows.push({
        t: Math.round(elapsed / 1000), sent: nas.counts.sent - sentAtSample, answered: w.length, p99: round(percentile(w, 99)),
        rssMB: mb(s.rss), heapMB: mb(s.heapUsed), buffersMB: mb(s.arrayBuffers), inflight: s.inflight, loopDelayMaxMs: s.loopDelayMaxMs, cpuPct: Math.round((s.cpuMs - cpuMs) / 100),
      });
      cpuMs = s.cpuMs;
      sentAtSample = nas.counts.sent;
      nextSample += 10_000;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return { windows, rampIndex: Math.max(0, rampIndex) };
}

/**
 * RSS after the duplicate cache has filled (ramp + 30 s): least-squares slope in MB/min and the
 * spread. Flat = slope under 6 MB/min (a leak of 200 bytes per login at 500/s), or with fewer
 * than three samples a spread under 30 MB.
 */
function rssTrend(samples: readonly (readonly [number, number])[]) {
  const n = samples.length;
  const values = samples.map(([, v]) => v);
  const spread = n ? Math.max(...values) - Math.min(...values) : 0;
  if (n < 3) return { samples: n, slopeMBPerMin: null, spreadMB: round(spread), flat: spread < 30 };
  const mt = samples.reduce((a, [t]) => a + t, 0) / n;
  const mv = values.reduce((a, v) => a + v, 0) / n;
  const slope = samples.reduce((a, [t, v]) => a + (t - mt) * (v - mv), 0) / samples.reduce((a, [t]) => a + (t - mt) ** 2, 0);
  return { samples: n, slopeMBPerMin: round(slope * 60), spreadMB: round(spread), flat: slope * 60 < 6 };
}

function latencies(ms: readonly number[]) {
  return { p50: round(percentile(ms, 50)), p90: round(percentile(ms, 90)), p99: round(percentile(ms, 99)), max: round(percentile(ms, 100)) };
}


async function main(): Promise<void> {
  const o = options();
  const loadStart = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'authproxy-soak-'));
  const primary = await startPrimary(o.primary);
  const duo = await startDuoChild();
  const port = await freeUdpPort();
  writeFileSync(join(dir, 'authproxy.cfg'), configText(dir, duo.info, primary.section, port));
  const proxy = await ProxyChild.start(join(dir, 'authproxy.cfg'), dir, { stdio: 'inherit' });
  const nas = await LoadNas.open(8, proxy.port, NAS_SECRET, USERS);
  for (let i = 0; i < 20; i++) {
    nas.send();
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 500));
  nas.takeWindow();
  const { windows, rampIndex } = await drive(nas, proxy, o.rate, o.duration, o.ramp);
  const drainUntil = Date.now() + LOST_AFTER_MS + 1000;
  while (nas.pending > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
  nas.expire(0);
  const end = await proxy.stats();
  const memory = rssTrend(windows.filter((w) => w.t >= o.ramp + WARMUP_S).map((w) => [w.t, w.rssMB] as const));
  const summary = {
    commit: measuredCommit(), rate: o.rate, durationS: o.duration, primary: o.primary, loadAvg1m: { start: round(loadStart), end: round(loadavg()[0]!) },
    sent: nas.counts.sent, accepted: nas.counts.accepted, rejected: nas.counts.rejected, bad: nas.counts.bad, lost: nas.counts.lost, starved: nas.counts.starved,
    achievedRate: round(nas.counts.sent / o.duration),
    latencyMs: latencies(nas.all), latencyAfterRampMs: latencies(nas.all.slice(rampIndex)),
    proxyErrors: end.errors, crashed: proxy.crashed ?? null,
    rssMB: { ...memory, end: mb(end.rss) },
    windows,
  };
  const ok = !proxy.crashed && nas.counts.lost === 0 && nas.counts.bad === 0 && nas.counts.rejected === 0 && memory.flat && nas.counts.sent >= o.rate * (o.duration - o.ramp / 2) * 0.98;
  process.stdout.write(`${JSON.stringify({ ok, ...summary })}\n`);
  await nas.close();
  await proxy.stop();
  duo.child.send({ type: 'stop' });
  await new Promise((r) => duo.child.once('exit', r));
  await primary.stop();
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = ok ? 0 : 1;
}

await main();
