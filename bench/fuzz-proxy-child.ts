/**
 * The proxy under test in its own process, for `npm run fuzz` and `npm run soak`: runs the real
 * proxy (`runProxy`, as `authproxyctl` does) from a config file and answers the parent's IPC
 * questions — memory (optionally after a forced GC; start with --expose-gc) and listener
 * counters. Its own process so that its RSS is the proxy's alone and a crash is visible as an
 * exit. Usage: node dist/bench/fuzz-proxy-child.js <config> <install-dir>
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { runProxy } from '../src/server/run.js';
import type { ChildStats, HostMessage } from './fuzz-proxy-host.js';

const [configPath, installDir] = process.argv.slice(2);
if (!configPath || !installDir || !process.send) {
  process.stderr.write('usage: fuzz-proxy-child <config> <install-dir> (forked with an IPC channel)\n');
  process.exit(2);
}

const running = await runProxy({ configPath, installDir });
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const send = (m: unknown): void => void process.send?.(m);

function stats(gc: boolean): ChildStats {
  if (gc) (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  const listeners = running.proxy.listeners;
  const drops: Record<string, number> = {};
  let received = 0;
  let errors = 0;
  for (const l of listeners) {
    received += l.stats.received;
    errors += l.stats.errors;
    for (const [k, v] of l.stats.drops) drops[k] = (drops[k] ?? 0) + v;
  }
  const loopDelayMaxMs = Math.round(loopDelay.max / 1e6);
  loopDelay.reset();
  const cpuMs = Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000);
  return { rss: mem.rss, heapUsed: mem.heapUsed, arrayBuffers: mem.arrayBuffers, inflight: running.proxy.inflight, received, errors, drops, handles: process.getActiveResourcesInfo().length, loopDelayMaxMs, cpuMs };
}

process.on('message', (m: HostMessage) => {
  if (m.type === 'stats') send({ type: 'stats', id: m.id, stats: stats(m.gc) });
  else if (m.type === 'stop') void running.stop(1000).then(() => process.exit(0));
});
send({ type: 'ready', port: running.listeners[0]?.port ?? 0 });
