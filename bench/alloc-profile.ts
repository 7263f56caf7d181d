/**
 * Bytes allocated per PAP login and where, a figure that — unlike throughput or CPU time — does
 * not move with whatever else runs on the machine. Runs our proxy in this process (runProxy, the
 * exempt user via [radius_client] to a throwaway FreeRADIUS), the load generator in a child, and
 * V8's sampling heap profiler counting also the objects later freed by minor and major GCs.
 *
 *   node dist/bench/alloc-profile.js [logins=20000] [top=30]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from '../test/harness/common.js';
import { startFreeRadius } from '../test/harness/freeradius.js';
import { runProxy } from '../src/server/run.js';
import { EXEMPT, NAS_SECRET, PASSWORD } from './env.js';
import type { LoadResult, LoadSpec } from './loadgen.js';
import { scriptPath, spawnNode } from './procs.js';

interface SamplingNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly SamplingNode[];
}

function bySite(head: SamplingNode): Map<string, number> {
  const totals = new Map<string, number>();
  const walk = (n: SamplingNode): void => {
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'}  ${f.url.replace(/.*\/(dist|node_modules)\//, '')}:${f.lineNumber + 1}`;
    totals.set(key, (totals.get(key) ?? 0) + n.selfSize);
    n.children.forEach(walk);
  };
  walk(head);
  return totals;
}

function config(dir: string, port: number, up: { port: number; secret: string }): string {
  return `[main]\nlog_dir=${dir}/log\n\n[radius_client]\nhost=127.0.0.1\nport=${up.port}\nsecret=${up.secret}\n\n` +
    `[radius_server_auto]\nikey=DIXXXXXXXXXXXXXXXXXX\nskey=${'k'.repeat(40)}\napi_host=127.0.0.1\napi_port=1\n` +
    `radius_ip_1=127.0.0.1\nradius_secret_1=${NAS_SECRET}\ninterface=127.0.0.1\nport=${port}\nclient=radius_client\nexempt_username_1=${EXEMPT.user}\n`;
}

async function main(): Promise<void> {
  const logins = Number(process.argv[2] ?? 20_000);
  const top = Number(process.argv[3] ?? 30);
  const up = await startFreeRadius({ users: `DEFAULT Cleartext-Password := "${PASSWORD}"\n`, requireMessageAuthenticator: false });
  const dir = mkdtempSync(join(tmpdir(), 'authproxy-alloc-'));
  const port = await freeUdpPort();
  writeFileSync(join(dir, 'authproxy.cfg'), config(dir, port, up));
  const proxy = await runProxy({ configPath: join(dir, 'authproxy.cfg'), installDir: dir });
  const loadgen = spawnNode(scriptPath('loadgen-child.js'), []);
  try {
    await loadgen.ready;
    const spec: LoadSpec = { host: '127.0.0.1', port, secret: NAS_SECRET, logins: [EXEMPT], concurrency: 256, total: logins, timeoutMs: 10_000 };
    await loadgen.request({ kind: 'run', spec }); // warm-up
    const session = new Session();
    session.connect();
    await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    const { result } = await loadgen.request<{ result: LoadResult }>({ kind: 'run', spec });
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: SamplingNode } };
    const totals = bySite(profile.head);
    const all = [...totals.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(`${JSON.stringify({ scenario: 'alloc-per-login', logins: result.accepted, bytesPerLogin: Math.round(all / logins) })}\n`);
    for (const [site, bytes] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stderr.write(`${String(Math.round(bytes / logins)).padStart(7)}  ${site}\n`);
    }
  } finally {
    await loadgen.stop();
    await proxy.stop(0);
    await up.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
