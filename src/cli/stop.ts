/**
 * `authproxyctl stop` (spec §8.1, improved): SIGTERM to the pid in the pidfile, then — unlike
 * Duo's, which returns at once — wait until the process has exited (up to `--timeout`), so that
 * `stop; start` and `restart` cannot race. The daemon answers what it can within its grace
 * period and removes its pidfile; a pidfile left behind by a process that is gone is removed here.
 * Not running → nothing, exit 0.
 */
import type { Command } from 'commander';
import { DEFAULT_STOP_TIMEOUT_SEC, MESSAGES, absolute, parseSeconds, sleep } from './common.js';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.js';
import type { CliContext } from './main.js';
import { defaultPidfilePath, isAlive, readPidfile, releasePidfile } from './pidfile.js';

const POLL_MS = 50;

/** Registers `stop`. */
export function registerStopCommand(program: Command, ctx: CliContext): void {
  program
    .command('stop')
    .description('stop the proxy and wait until it has exited')
    .option('--pidfile <file>', 'pidfile', defaultPidfilePath(ctx.installDir))
    .option('--timeout <seconds>', 'how long to wait for the proxy to exit', parseSeconds, DEFAULT_STOP_TIMEOUT_SEC)
    .action(async (o: { pidfile: string; timeout: number }) => {
      ctx.setExitCode(await runStop(absolute(o.pidfile), o.timeout, ctx));
    });
}

/** Runs `stop`; resolves with the exit code. */
export async function runStop(pidfile: string, timeoutSec: number, ctx: CliContext): Promise<number> {
  const state = readPidfile(pidfile);
  if (state.kind === 'none') return EXIT_OK;
  if (state.kind === 'stale') {
    releasePidfile(pidfile, state.pid);
    return EXIT_OK;
  }
  if (state.kind === 'garbage') {
    ctx.err(MESSAGES.stopFailed(`invalid data in pidfile ${pidfile}`));
    return EXIT_FAILURE;
  }
  try {
    process.kill(state.pid, 'SIGTERM');
  } catch (err) {
    ctx.err(MESSAGES.stopFailed(err instanceof Error ? err.message : String(err)));
    return EXIT_FAILURE;
  }
  if (!(await waitForExit(state.pid, timeoutSec * 1000))) {
    ctx.err(MESSAGES.stopFailed(`pid ${state.pid} is still running after ${timeoutSec} s`));
    return EXIT_FAILURE;
  }
  releasePidfile(pidfile, state.pid);
  return EXIT_OK;
}

/** Polls until `pid` is gone; false on timeout. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}
