/**
 * The pidfile (`<install>/run/authproxy.pid` unless `--pidfile` says otherwise): the decimal pid
 * of the running proxy and a newline. The proxy process itself creates it exclusively before it
 * binds its ports (so two concurrent starts cannot both run) and removes it when it exits; a
 * pidfile whose process is gone is "stale" and is replaced, as twistd does (spec §8.1).
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What a pidfile says. */
export type PidfileState =
  | { readonly kind: 'none' }
  | { readonly kind: 'garbage'; readonly text: string }
  | { readonly kind: 'stale'; readonly pid: number }
  | { readonly kind: 'running'; readonly pid: number };

/** The default pidfile path under the install directory. */
export function defaultPidfilePath(installDir: string): string {
  return join(installDir, 'run', 'authproxy.pid');
}

/**
 * True when a process with this pid exists (EPERM: it exists but belongs to someone else) and
 * is not a zombie: a daemon whose exit nobody reaped (a container's init may not) has stopped.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/** Linux: the state letter after the `(comm)` field of /proc/<pid>/stat is `Z` for a zombie. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false; // no /proc (not Linux) or the process just went away
  }
}

/** Parses pidfile text: one positive decimal integer, optionally surrounded by whitespace. */
export function parsePid(text: string): number | undefined {
  const t = text.trim();
  if (!/^[1-9]\d{0,9}$/.test(t)) return undefined;
  const pid = Number(t);
  return pid <= 0x7fffffff ? pid : undefined;
}

/** Reads and classifies the pidfile. */
export function readPidfile(path: string): PidfileState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    throw err;
  }
  const pid = parsePid(text);
  if (pid === undefined) return { kind: 'garbage', text: text.slice(0, 40) };
  return isAlive(pid) ? { kind: 'running', pid } : { kind: 'stale', pid };
}

/** Result of {@link acquirePidfile}. */
export type AcquireResult = { readonly kind: 'acquired' } | { readonly kind: 'running'; readonly pid: number };

/**
 * Writes `pid` into a new pidfile, created exclusively (O_EXCL). A stale or garbage pidfile is
 * replaced; a live one wins and is reported. Throws fs errors (EACCES…) for the caller to report.
 */
export function acquirePidfile(path: string, pid: number = process.pid): AcquireResult {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      try {
        writeSync(fd, `${pid}\n`);
      } finally {
        closeSync(fd);
      }
      return { kind: 'acquired' };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const state = readPidfile(path);
    if (state.kind === 'running' && state.pid !== pid) return state;
    rmSync(path, { force: true });
  }
  throw new Error(`cannot create pidfile ${path}: it keeps reappearing`);
}

/** Removes the pidfile if it still names `pid` (never another process's pidfile). */
export function releasePidfile(path: string, pid: number = process.pid): void {
  try {
    if (parsePid(readFileSync(path, 'utf8')) === pid) rmSync(path, { force: true });
  } catch {
    // already gone
  }
}
