/**
 * `authproxyctl reload` (our extension; Duo's proxy has none): sends SIGHUP to the running
 * proxy, which re-reads its config and swaps it in without dropping logins in flight (a push being
 * approved right now still completes). The outcome is logged in authproxy.log. A config that does
 * not validate is reported here first and nothing is sent, so the running proxy is never disturbed.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { ConfigInvalidError, formatIssue } from '../config/issues.js';
import { absolute, MESSAGES } from './common.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, EXIT_UNKNOWN_COMMAND } from './exit-codes.js';
import type { CliContext } from './main.js';
import { defaultPidfilePath, readPidfile } from './pidfile.js';
import { defaultConfigPath } from './check.js';

/** Registers `reload`. */
export function registerReloadCommand(program: Command, ctx: CliContext): void {
  program
    .command('reload')
    .description('re-read the config into the running proxy without dropping logins in flight')
    .option('--config <file>', 'config file (validated before the proxy is told)', defaultConfigPath(ctx.installDir))
    .option('--pidfile <file>', 'pidfile', defaultPidfilePath(ctx.installDir))
    .action(async (o: { config: string; pidfile: string }) => {
      ctx.setExitCode(await runReload(absolute(o.config), absolute(o.pidfile), ctx));
    });
}

/** Runs `reload`; resolves with the exit code (0 sent, 78 invalid config, 3 not running, 1 error). */
export async function runReload(config: string, pidfile: string, ctx: CliContext): Promise<number> {
  try {
    await loadConfig(config);
  } catch (err) {
    if (err instanceof ConfigInvalidError) {
      for (const i of err.issues.filter((x) => x.severity === 'error')) ctx.err(formatIssue(i));
      return EXIT_CONFIG;
    }
    ctx.err(String((err as Error).message));
    return EXIT_FAILURE;
  }
  const state = readPidfile(pidfile);
  if (state.kind !== 'running') {
    ctx.err(MESSAGES.notRunning);
    return EXIT_UNKNOWN_COMMAND; // 3, as `status` says "not running"
  }
  try {
    process.kill(state.pid, 'SIGHUP');
  } catch (err) {
    ctx.err(`Failed to reload duoauthproxy: ${(err as Error).message}`);
    return EXIT_FAILURE;
  }
  ctx.out(`reload requested (pid ${state.pid}); see authproxy.log for the outcome`);
  return EXIT_OK;
}
