/**
 * A throwaway install of authproxy for process-level CLI tests, laid out as a real one:
 * `<dir>/bin/authproxyctl` (a copy of the shim), `<dir>/dist` (the compiled sources), and the
 * defaults `conf/authproxy.cfg`, `log/`, `run/authproxy.pid` under `<dir>`.
 *
 * The sources are compiled once per source state with `tsc -p tsconfig.build.json` into a cache
 * directory keyed by a hash of src/ (concurrent test files share it; a fresh build is renamed into
 * place atomically), so tests never race with anybody else's `npm run build` into dist/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { archiveLogs } from '../support/log-archive.js';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function hashTree(dir: string, h = createHash('sha256')): ReturnType<typeof createHash> {
  for (const name of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, name.name);
    if (name.isDirectory()) hashTree(p, h);
    else {
      h.update(p);
      h.update(readFileSync(p));
    }
  }
  return h;
}

/**
 * Compiles src/ (once per source state) and returns the directory holding `dist/`. Test files
 * running at the same time wait for the one that builds (a lock directory) instead of all
 * compiling at once.
 */
export async function buildOnce(): Promise<string> {
  const hash = hashTree(join(ROOT, 'src')).update(readFileSync(join(ROOT, 'tsconfig.json'))).digest('hex').slice(0, 16);
  const cache = join(tmpdir(), `authproxy-cli-build-${hash}`);
  const done = (): boolean => existsSync(join(cache, 'dist', 'src', 'cli', 'main.js'));
  const lock = `${cache}.lock`;
  for (let waited = 0; !done(); waited += 100) {
    try {
      mkdirSync(lock);
    } catch {
      // A lock older than 2 min belongs to a build that died: take it over.
      if (Date.now() - lockAge(lock) > 120_000) rmSync(lock, { recursive: true, force: true });
      if (waited > 180_000) throw new Error(`waited 3 min for another test file to build into ${cache}`);
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    try {
      if (!done()) compileInto(cache);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return cache;
}

function lockAge(lock: string): number {
  try {
    return statSync(lock).mtimeMs;
  } catch {
    return Date.now();
  }
}

function compileInto(cache: string): void {
  const work = mkdtempSync(join(tmpdir(), 'authproxy-cli-building-'));
  // Type errors in files still being written elsewhere do not stop tsc from emitting.
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(work, 'dist')], { stdio: 'ignore' });
  if (!existsSync(join(work, 'dist', 'src', 'cli', 'main.js'))) throw new Error('tsc produced no dist/src/cli/main.js');
  // Modules resolve from their real path: node_modules and src/radius/dictionaries must be found from here.
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
  symlinkSync(join(ROOT, 'src'), join(work, 'src'));
  rmSync(cache, { recursive: true, force: true });
  renameSync(work, cache);
}

/** What one authproxyctl run printed and returned. */
export interface CtlResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A temp install directory. */
export interface TestInstall {
  readonly dir: string;
  readonly configPath: string;
  readonly pidfile: string;
  readonly logDir: string;
  writeConfig(text: string): void;
  /** Runs `node <dir>/bin/authproxyctl …args` to completion (stdout/stderr collected). */
  ctl(args: readonly string[], timeoutMs?: number): Promise<CtlResult>;
  /** The pid in the pidfile, if any. */
  pid(): number | undefined;
  /** Kills a leftover daemon and removes the directory. */
  cleanup(): Promise<void>;
}

/** Creates an install directory around the cached build. */
export function makeInstall(build: string): TestInstall {
  const dir = mkdtempSync(join(tmpdir(), 'authproxy-cli-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'conf'));
  copyFileSync(join(ROOT, 'bin', 'authproxyctl'), join(dir, 'bin', 'authproxyctl'));
  symlinkSync(join(build, 'dist'), join(dir, 'dist'));
  const configPath = join(dir, 'conf', 'authproxy.cfg');
  const pidfile = join(dir, 'run', 'authproxy.pid');
  const pid = (): number | undefined => {
    try {
      const n = Number(readFileSync(pidfile, 'utf8').trim());
      return Number.isInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    dir,
    configPath,
    pidfile,
    logDir: join(dir, 'log'),
    pid,
    writeConfig: (text) => writeFileSync(configPath, text),
    ctl: (args, timeoutMs = 30_000) => runCtl(dir, args, timeoutMs),
    async cleanup() {
      const p = pid();
      if (p !== undefined) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      archiveLogs(join(dir, 'log'));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function runCtl(dir: string, args: readonly string[], timeoutMs: number): Promise<CtlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(dir, 'bin', 'authproxyctl'), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`authproxyctl ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** True while a process with this pid exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return true;
  }
}

/** Pids of live processes whose command line mentions `needle` (e.g. an install directory). */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle) && processAlive(Number(name))) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Every file under `dir` whose name contains `.log` (rotated copies included). */
export function logFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => n.includes('.log')).map((n) => join(dir, n));
}
