/**
 * `authproxyctl restart`: `stop` (which waits for the old process to exit) then `start` — no
 * race, unlike Duo's `stop; sleep 1; start` (spec §8.1). A failed stop leaves the proxy alone
 * and exits 1.
 */
import type { Command } from 'commander';
import { DEFAULT_STOP_TIMEOUT_SEC } from './common.js';
import { EXIT_OK } from './exit-codes.js';
import type { CliContext } from './main.js';
import { runStart, startOptions, toStartOptions } from './start.js';
import { runStop } from './stop.js';

/** Registers `restart`. */
export function registerRestartCommand(program: Command, ctx: CliContext): void {
  startOptions(program.command('restart').description('stop (waiting for the exit), then start'), ctx).action(
    async (o: { config: string; pidfile: string; grace: number; timeout: number }) => {
      const opts = toStartOptions(o);
      const stopped = await runStop(opts.pidfile, Math.max(DEFAULT_STOP_TIMEOUT_SEC, opts.graceSec + 10), ctx);
      ctx.setExitCode(stopped === EXIT_OK ? await runStart(opts, ctx) : stopped);
    },
  );
}
