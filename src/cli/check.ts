/**
 * `authproxyctl check [--config FILE]`: loads and validates the configuration without starting
 * anything. Valid → `OK: <file> (<n> sections)` on stdout, warnings on stderr, exit 0. Invalid →
 * every error and warning on stderr, one per line in line order, exit 78 (EX_CONFIG).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { hasCode } from '../errors.js';
import { formatIssue } from '../config/issues.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { EXIT_CONFIG, EXIT_NOINPUT, EXIT_OK } from './exit-codes.js';
import type { CliContext } from './main.js';

/** The default config path: `conf/authproxy.cfg` under the install directory, as Duo. */
export function defaultConfigPath(installDir: string): string {
  return join(installDir, 'conf', 'authproxy.cfg');
}

/** Registers `check` on `program`. */
export function registerCheckCommand(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description('validate the configuration file without starting the proxy')
    .option('--config <file>', 'configuration file', defaultConfigPath(ctx.installDir))
    .action(async (opts: { config: string }) => {
      ctx.setExitCode(await runCheck(opts.config, ctx));
    });
}

/** Runs the check and returns the exit code. */
export async function runCheck(file: string, ctx: CliContext): Promise<number> {
  let config: Config;
  try {
    config = await loadConfig(file);
  } catch (err) {
    if (hasCode(err, 'AP_ERR_CONFIG_UNREADABLE')) {
      ctx.err(err.message);
      return EXIT_NOINPUT;
    }
    if (hasCode(err, 'AP_ERR_CONFIG_INVALID') && 'issues' in err && Array.isArray(err.issues)) {
      for (const issue of err.issues) ctx.err(formatIssue(issue));
      return EXIT_CONFIG;
    }
    throw err;
  }
  const n = (config.main.line === undefined ? 0 : 1) + config.clients.length + config.servers.length;
  ctx.out(`OK: ${file} (${n} ${n === 1 ? 'section' : 'sections'})`);
  for (const w of config.warnings) ctx.err(formatIssue(w));
  return EXIT_OK;
}
