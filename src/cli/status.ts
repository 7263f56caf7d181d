/**
 * `authproxyctl status` (spec §8.1): Duo's texts on stderr and LSB exit codes —
 * running → `duoauthproxy (pid <pid>) is running`, 0; pidfile naming a dead process →
 * `duoauthproxy is not running`, 1; no pidfile → `duoauthproxy is not running`, 3; pidfile that
 * is not a pid → `Invalid data in pidfile <path>` then `duoauthproxy status unknown!`, 4.
 */
import type { Command } from 'commander';
import { MESSAGES, absolute } from './common.js';
import { EXIT_OK, EXIT_STATUS_NOT_RUNNING, EXIT_STATUS_STALE, EXIT_STATUS_UNKNOWN } from './exit-codes.js';
import type { CliContext } from './main.js';
import { defaultPidfilePath, readPidfile } from './pidfile.js';

/** Registers `status`. */
export function registerStatusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('report whether the proxy is running (LSB exit codes 0/1/3/4)')
    .option('--pidfile <file>', 'pidfile', defaultPidfilePath(ctx.installDir))
    .action((o: { pidfile: string }) => {
      ctx.setExitCode(runStatus(absolute(o.pidfile), ctx));
    });
}

/** Runs `status`; returns the exit code. */
export function runStatus(pidfile: string, ctx: CliContext): number {
  let state;
  try {
    state = readPidfile(pidfile);
  } catch (err) {
    ctx.err(`Cannot read pidfile ${pidfile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    ctx.err(MESSAGES.statusUnknown);
    return EXIT_STATUS_UNKNOWN;
  }
  switch (state.kind) {
    case 'running':
      ctx.err(MESSAGES.running(state.pid));
      return EXIT_OK;
    case 'stale':
      ctx.err(MESSAGES.notRunning);
      return EXIT_STATUS_STALE;
    case 'none':
      ctx.err(MESSAGES.notRunning);
      return EXIT_STATUS_NOT_RUNNING;
    case 'garbage':
      ctx.err(`Invalid data in pidfile ${pidfile}`);
      ctx.err(MESSAGES.statusUnknown);
      return EXIT_STATUS_UNKNOWN;
  }
}
