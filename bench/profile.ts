/**
 * Reads V8 `.cpuprofile` files (from `node --cpu-prof`) and lists the functions with the most
 * self time, e.g. `  12.3%  appendFileSync  node:fs:2345`.
 *
 *   node dist/bench/profile.js <dir or file.cpuprofile> [count]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function profileFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(path, f));
}

function shortUrl(url: string): string {
  const i = url.lastIndexOf('/dist/');
  if (i >= 0) return url.slice(i + 6);
  const n = url.lastIndexOf('/node_modules/');
  return n >= 0 ? url.slice(n + 14) : url;
}

/** Self time per function (µs) summed over the profiles in `path`. */
export function selfTimes(path: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const file of profileFiles(path)) {
    const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    p.samples.forEach((id, i) => {
      const f = byId.get(id)?.callFrame;
      if (!f) return;
      const key = `${f.functionName || '(anonymous)'}  ${shortUrl(f.url)}:${f.lineNumber + 1}`;
      totals.set(key, (totals.get(key) ?? 0) + (p.timeDeltas[i] ?? 0));
    });
  }
  return totals;
}

/**
 * The `count` functions with the most self time, as printable lines with their share of the busy
 * time (`(idle)` is left out of both the list and the total).
 */
export function topFunctions(path: string, count = 20): string[] {
  const totals = selfTimes(path);
  for (const k of [...totals.keys()]) if (k.startsWith('(idle)')) totals.delete(k);
  const all = [...totals.values()].reduce((a, b) => a + b, 0) || 1;
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `${((us / all) * 100).toFixed(1).padStart(6)}%  ${name}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [path, count] = process.argv.slice(2);
  if (!path) throw new Error('usage: profile.js <dir or file.cpuprofile> [count]');
  for (const l of topFunctions(path, Number(count ?? 30))) process.stdout.write(`${l}\n`);
}
