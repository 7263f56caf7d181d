/**
 * `authproxyctl start` (spec §8.1, §10 item 34):
 * - already running (pidfile + live pid) → `duoauthproxy (pid N) is running`, exit 0, no second copy;
 * - the config is loaded first: errors on stderr exactly as `check` prints them, exit 78 (66 when
 *   unreadable); validator findings (warnings) are printed and start goes on, as Duo's proxy does;
 * - `[main] test_connectivity_on_startup=true` → the full connectivity check runs first; its
 *   findings never stop the start;
 * - then the daemon is launched and `start` returns once its listeners are bound (exit 0), or
 *   prints why it failed (bind error, pidfile…) and exits 1.
 * `--foreground` runs the proxy in this process instead (same as `run`).
 */
import type { Command } from 'commander';
import { formatIssue } from '../config/issues.js';
import type { Config } from '../config/types.js';
import { runConnectivity } from '../connectivity/run.js';
import { defaultConfigPath } from './check.js';
import { DEFAULT_GRACE_SEC, DEFAULT_START_TIMEOUT_SEC, MESSAGES, absolute, loadForCli, parseSeconds } from './common.js';
import { spawnDaemon } from './daemon.js';
import { EXIT_OK } from './exit-codes.js';
import type { CliContext } from './main.js';
import { defaultPidfilePath, readPidfile } from './pidfile.js';
import { exitSoon, runInProcess } from './run-foreground.js';

/** Options of `start` (also used by `restart`). */
export interface StartOptions {
  /** Absolute config path. */
  readonly config: string;
  /** Absolute pidfile path. */
  readonly pidfile: string;
  readonly graceSec: number;
  readonly timeoutSec: number;
  readonly foreground: boolean;
}

/** Adds `--config`, `--pidfile`, `--grace` and `--timeout` to a start-like command. */
export function startOptions(cmd: Command, ctx: CliContext): Command {
  return cmd
    .option('--config <file>', 'configuration file', defaultConfigPath(ctx.installDir))
    .option('--pidfile <file>', 'pidfile', defaultPidfilePath(ctx.installDir))
    .option('--grace <seconds>', 'on stop, time in-flight logins get to be answered', parseSeconds, DEFAULT_GRACE_SEC)
    .option('--timeout <seconds>', 'how long to wait for the proxy to report ready', parseSeconds, DEFAULT_START_TIMEOUT_SEC);
}

/** Converts commander's parsed options. */
export function toStartOptions(o: { config: string; pidfile: string; grace: number; timeout: number; foreground?: boolean }): StartOptions {
  return { config: absolute(o.config), pidfile: absolute(o.pidfile), graceSec: o.grace, timeoutSec: o.timeout, foreground: o.foreground === true };
}

/** Registers `start`. */
export function registerStartCommand(program: Command, ctx: CliContext): void {
  startOptions(program.command('start').description('start the proxy in the background (returns once it listens)'), ctx)
    .option('--foreground', 'run in this process instead of daemonising (same as `run`)')
    .action(async (o: { config: string; pidfile: string; grace: number; timeout: number; foreground?: boolean }) => {
      const opts = toStartOptions(o);
      const code = await runStart(opts, ctx);
      if (opts.foreground) exitSoon(code);
      else ctx.setExitCode(code);
    });
}

/** Runs `start`; resolves with the exit code. */
export async function runStart(opts: StartOptions, ctx: CliContext): Promise<number> {
  const state = readPidfile(opts.pidfile);
  if (state.kind === 'running') {
    ctx.err(MESSAGES.running(state.pid));
    return EXIT_OK;
  }
  const config = await loadForCli(opts.config, ctx);
  if (typeof config === 'number') return config;
  await preflight(config, ctx);
  if (opts.foreground) return runInProcess({ config: opts.config, pidfile: opts.pidfile, graceSec: opts.graceSec }, ctx);
  const result = await spawnDaemon({ installDir: ctx.installDir, config: opts.config, pidfile: opts.pidfile, graceSec: opts.graceSec, timeoutMs: opts.timeoutSec * 1000 });
  switch (result.kind) {
    case 'ready':
      return EXIT_OK;
    case 'running':
      ctx.err(MESSAGES.running(result.pid));
      return EXIT_OK;
    case 'failed':
      for (const line of result.lines) ctx.err(line);
      if (result.lines.some((l) => l.startsWith('Failed to start'))) ctx.err(MESSAGES.connectivityHint(ctx.installDir));
      return result.exitCode;
  }
}

/** Validation (always) and the connectivity check (when configured); neither stops the start. */
async function preflight(config: Config, ctx: CliContext): Promise<void> {
  for (const w of config.warnings) ctx.err(formatIssue(w));
  let valid = config.warnings.length === 0;
  if (config.main.testConnectivityOnStartup) {
    try {
      const result = await runConnectivity(config, { installDir: ctx.installDir, out: (l) => ctx.out(l) });
      valid &&= result.exitCode === 0;
    } catch (err) {
      ctx.err(`The connectivity check could not run: ${err instanceof Error ? err.message : String(err)}`);
      valid = false;
    }
  }
  if (!valid) ctx.err(MESSAGES.configNotValid);
}
