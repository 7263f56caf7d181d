/**
 * `npm run fuzz`: (1) a short coverage-guided run of the packet path in this process, whose
 * corpus seeds (2) a flood of ≥ 1,000,000 mutated datagrams over UDP against the real proxy
 * (its own process, `[duo_only_client]` + `[radius_server_auto]` on loopback, the fake Duo Auth
 * API over HTTPS). Valid logins are probed all along; afterwards the proxy must still answer,
 * have nothing in flight, and its memory must be back near the baseline.
 *
 * Options: --datagrams N (1000000) --max-seconds S (300, flood bound) --coverage-seconds S (20)
 * --seed N. Prints one JSON summary line; exit code 1 when a check failed.
 */
import { measuredCommit } from './procs.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freeUdpPort } from '../test/harness/common.js';
import { startFakeDuoApi, type FakeDuoApi, duoSectionLines } from '../test/fakes/duo-api/index.js';
import { CoverageTracker } from './fuzz-coverage.js';
import { runFuzz, type FuzzReport } from './fuzz-engine.js';
import { packetTarget } from './fuzz-packet-target.js';
import { ProxyChild, type ChildStats } from './fuzz-proxy-host.js';
import { Rng } from './fuzz-rng.js';
import { FUZZ_SECRET, packetSeeds } from './fuzz-seeds.js';
import { flood, Prober } from './fuzz-udp.js';

const MB = 1024 * 1024;
/** The proxy's duplicate-cache lifetime (spec §5.3.1), which the settle phase waits out. */
const DUPLICATE_TTL_S = 30;
const mb = (n: number): number => Math.round((n / MB) * 10) / 10;

function options() {
  const { values } = parseArgs({
    options: {
      datagrams: { type: 'string', default: '1000000' },
      'max-seconds': { type: 'string', default: '300' },
      'coverage-seconds': { type: 'string', default: '20' },
      seed: { type: 'string', default: String(Date.now() % 0x7fffffff) },
    },
  });
  return { datagrams: Number(values.datagrams), maxSeconds: Number(values['max-seconds']), coverageSeconds: Number(values['coverage-seconds']), seed: Number(values.seed) };
}

function configText(duo: FakeDuoApi, dir: string, port: number): string {
  return `[main]
http_ca_certs_file=${duo.caCertPath}
log_dir=${dir}/log
log_file=true

[duo_only_client]

[radius_server_auto]
${duoSectionLines(duo)}
api_timeout=10
client=duo_only_client
radius_ip_1=127.0.0.1
radius_secret_1=${FUZZ_SECRET}
interface=127.0.0.1
port=${port}
`;
}

async function coveragePhase(seconds: number, seed: number): Promise<{ report: FuzzReport; corpus: Buffer[] }> {
  const coverage = new CoverageTracker();
  await coverage.start();
  try {
    return await runFuzz(packetTarget(), { timeMs: seconds * 1000, seed, coverage });
  } finally {
    await coverage.stop();
  }
}

/** Valid logins every 200 ms while `running()` holds. */
async function probeLoop(prober: Prober, running: () => boolean): Promise<void> {
  while (running()) {
    await prober.login('probe', 'push');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function settle(child: ProxyChild, timeoutMs: number): Promise<ChildStats> {
  const until = Date.now() + timeoutMs;
  let s = await child.stats();
  while (s.inflight > 0 && Date.now() < until && !child.crashed) {
    await new Promise((r) => setTimeout(r, 200));
    s = await child.stats();
  }
  return s;
}


async function main(): Promise<void> {
  const o = options();
  const started = Date.now();
  const cov = await coveragePhase(o.coverageSeconds, o.seed);
  const dir = mkdtempSync(join(tmpdir(), 'authproxy-fuzz-'));
  const duo = await startFakeDuoApi({ defaultScenario: { kind: 'deny' } });
  duo.setUser('probe', { kind: 'allow', status: 'Bypass user' });
  const port = await freeUdpPort();
  writeFileSync(join(dir, 'authproxy.cfg'), configText(duo, dir, port));
  const child = await ProxyChild.start(join(dir, 'authproxy.cfg'), dir, { stdio: 'ignore' });
  const prober = await Prober.open(child.port, FUZZ_SECRET);
  for (let i = 0; i < 20; i++) await prober.login('probe', 'push');
  const start = await child.stats(true);
  let peakRss = start.rss;
  let duoCalls = 0;
  let flooding = true;
  const probes = probeLoop(prober, () => flooding);
  const result = await flood({
    child, corpus: [...packetSeeds(), ...cov.corpus], rng: new Rng(o.seed), secret: Buffer.from(FUZZ_SECRET), datagrams: o.datagrams,
    deadline: Date.now() + o.maxSeconds * 1000,
    onBurst: async (sent) => {
      if (sent % (256 * 40) !== 0) return;
      peakRss = Math.max(peakRss, (await child.stats()).rss);
      duoCalls += duo.calls.length;
      duo.calls.length = 0;
    },
  });
  flooding = false;
  await probes;
  const afterFlood = await settle(child, 60_000);
  peakRss = Math.max(peakRss, afterFlood.rss);
  // Answered requests stay in the duplicate cache for 30 s (spec §5.3.1): wait them out, then
  // log in again (a new request also sweeps expired entries) before measuring.
  const settleSamples: number[] = [];
  for (let t = 0; t < DUPLICATE_TTL_S + 5; t += 5) {
    await new Promise((r) => setTimeout(r, 5000));
    settleSamples.push(mb((await child.stats()).rss));
  }
  for (let i = 0; i < 20; i++) await prober.login('probe', 'push');
  await child.stats(true);
  const end = await child.stats(true);
  duoCalls += duo.calls.length;
  const crashes = child.crashed ? 1 : 0;
  const rssGrowth = end.rss - start.rss;
  const summary = {
    commit: measuredCommit(), seed: o.seed, seconds: Math.round((Date.now() - started) / 1000),
    coverage: { execs: cov.report.execs, corpus: cov.report.corpus, blocksBySeeds: cov.report.coveredBySeeds, blocks: cov.report.covered, failures: cov.report.failures },
    datagramsSent: result.sent, datagramsByKind: result.byKind, receivedByProxy: end.received, kernelDrops: Math.max(0, result.sent + prober.counts.sent - end.received),
    proxyDrops: end.drops, proxyErrors: end.errors, duoCalls, crashes, crash: child.crashed ?? null,
    validLogins: prober.counts, lostValidLogins: prober.counts.lost + prober.counts.wrong,
    inflightAfter: afterFlood.inflight,
    rssMB: { start: mb(start.rss), peak: mb(peakRss), end: mb(end.rss), settling: settleSamples }, heapUsedMB: { start: mb(start.heapUsed), end: mb(end.heapUsed) },
    handles: { start: start.handles, end: end.handles },
  };
  const ok = crashes === 0 && summary.lostValidLogins === 0 && cov.report.failures.length === 0 && afterFlood.inflight === 0
    && result.sent >= o.datagrams && rssGrowth < Math.max(64 * MB, start.rss * 0.5) && end.heapUsed - start.heapUsed < 32 * MB;
  process.stdout.write(`${JSON.stringify({ ok, ...summary })}\n`);
  await prober.close();
  await child.stop();
  await duo.close();
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = ok ? 0 : 1;
}

await main();
