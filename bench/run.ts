/**
 * `npm run bench`: installs FreeRADIUS if missing, starts the environment on loopback (bench/env.ts),
 * runs every scenario and prints one JSON line per result on stdout (progress goes to stderr).
 *
 *   node dist/bench/run.js [--only startup,pap,latency,full,pending,pap-ours] [--profile] [--node-flags "<flags>"]
 *
 * `--profile` runs our proxy under `node --cpu-prof` and prints its top self-time functions;
 * with it or `--node-flags`, our proxy runs as `node <flags> bin/authproxyctl run` in the background.
 */
import { measuredCommit } from './procs.js';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BenchEnv, type OurProxy } from './env.js';
import { topFunctions } from './profile.js';
import { fullPath, papLatency, papOurs, papProxy, pendingPushes, startup } from './scenarios.js';
import { markdownTable, type ResultLine } from './stats.js';

const BUDGET_MS = 9 * 60_000;
const ALL = ['startup', 'pap', 'latency', 'full', 'pending'] as const;
/** `pap-ours` (our proxy alone on the PAP path, 10 s) is for profiling and not run by default. */
const EXTRA = ['pap-ours'] as const;
type Scenario = (typeof ALL)[number] | (typeof EXTRA)[number];

interface Options {
  readonly only: Set<Scenario>;
  readonly profile: boolean;
  /** `--node-flags "<flags>"`: extra node flags for our proxy (then run as `authproxyctl run`). */
  readonly nodeFlags: string[];
}

function options(argv: readonly string[]): Options {
  const i = argv.indexOf('--only');
  const only = i >= 0 ? new Set((argv[i + 1] ?? '').split(',') as Scenario[]) : new Set<Scenario>(ALL);
  const known: readonly string[] = [...ALL, ...EXTRA];
  for (const s of only) if (!known.includes(s)) throw new Error(`unknown scenario '${s}' (known: ${known.join(', ')})`);
  const f = argv.indexOf('--node-flags');
  const nodeFlags = f >= 0 ? (argv[f + 1] ?? '').split(' ').filter(Boolean) : [];
  return { only, profile: argv.includes('--profile'), nodeFlags };
}

/** FreeRADIUS from Debian if it is missing (the suite needs it as upstream and as the peer). */
function ensureFreeRadius(): void {
  if (existsSync('/usr/sbin/freeradius')) return;
  process.stderr.write('bench: installing freeradius from Debian\n');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]): void => void execFileSync(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), ...args], { stdio: 'inherit', env });
  apt(['update', '-q']);
  apt(['install', '-y', '-q', '--no-install-recommends', 'freeradius', 'freeradius-utils']);
  try {
    execFileSync('systemctl', ['stop', 'freeradius'], { stdio: 'ignore' });
  } catch {
    // not running under systemd: nothing was started
  }
}


const printed: ResultLine[] = [];

function emit(lines: readonly ResultLine[]): void {
  for (const l of lines) process.stdout.write(`${JSON.stringify(l)}\n`);
  printed.push(...lines);
}

async function withProxy(env: BenchEnv, flags: readonly string[], fn: (p: OurProxy) => Promise<ResultLine[]>): Promise<void> {
  const proxy = await env.startProxy(flags.length ? { execArgv: flags } : {});
  try {
    await proxy.started;
    emit(await fn(proxy));
  } finally {
    await proxy.stop();
  }
}

async function main(): Promise<void> {
  const { only, profile, nodeFlags } = options(process.argv.slice(2));
  const started = Date.now();
  const deadline = setTimeout(() => {
    process.stderr.write('bench: over the 9-minute budget, aborting\n');
    process.exit(2);
  }, BUDGET_MS).unref();
  ensureFreeRadius();
  const profileDir = profile ? join(process.cwd(), '.tmp', `profile-${Date.now()}`) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const flags = [...nodeFlags, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
  process.stderr.write(`bench: commit ${measuredCommit()}, node ${process.version}${flags.length ? `, proxy flags ${flags.join(' ')}` : ''}\n`);
  const env = await BenchEnv.start();
  try {
    if (only.has('startup')) emit(await startup(env));
    if (only.has('pap-ours')) await withProxy(env, flags, (p) => papOurs(env, p));
    if (only.has('pap')) await withProxy(env, flags, (p) => papProxy(env, p));
    if (only.has('latency')) await withProxy(env, flags, (p) => papLatency(env, p));
    if (only.has('full')) await withProxy(env, flags, (p) => fullPath(env, p));
    if (only.has('pending')) await withProxy(env, flags, (p) => pendingPushes(env, p));
  } finally {
    await env.stop();
    clearTimeout(deadline);
  }
  if (profileDir) for (const l of topFunctions(profileDir, 25)) process.stderr.write(`${l}\n`);
  process.stderr.write(`${markdownTable(printed)}\n`);
  process.stderr.write(`bench: done in ${Math.round((Date.now() - started) / 1000)} s on commit ${measuredCommit()}\n`);
}

await main();
