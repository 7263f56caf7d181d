/**
 * `authproxyctl connectivity [--config FILE]`: the connectivity tool (spec §8.2) by hand — every
 * network check of every section, the report on stdout and in `<log_dir>/connectivity_tool.log`.
 * Exit 0 when no issues, 1 otherwise; a config that cannot be loaded prints Duo's sentence and
 * the errors (as `check`), exit 78/66.
 */
import type { Command } from 'commander';
import { runConnectivity } from '../connectivity/run.js';
import { defaultConfigPath } from './check.js';
import { absolute, loadForCli } from './common.js';
import type { CliContext } from './main.js';
import { defaultPidfilePath, readPidfile } from './pidfile.js';

/** Duo's text (sic) when the config cannot be loaded (spec §8.2). */
export const CONFIG_BLOCKS_TOOL = 'The follow configuration error is preventing the tool from running. Please resolve it and try again:';

/** Registers `connectivity`. */
export function registerConnectivityCommand(program: Command, ctx: CliContext): void {
  program
    .command('connectivity')
    .description('test connectivity to Duo, directories and RADIUS servers for every section')
    .option('--config <file>', 'configuration file', defaultConfigPath(ctx.installDir))
    .option('--pidfile <file>', 'pidfile of a running proxy (its ports are then not tested)', defaultPidfilePath(ctx.installDir))
    .action(async (o: { config: string; pidfile: string }) => {
      ctx.setExitCode(await runConnectivityCommand(absolute(o.config), absolute(o.pidfile), ctx));
    });
}

/** Runs the tool; resolves with the exit code. */
export async function runConnectivityCommand(configPath: string, pidfile: string, ctx: CliContext): Promise<number> {
  const errors: string[] = [];
  const config = await loadForCli(configPath, { ...ctx, err: (l) => errors.push(l) });
  if (typeof config === 'number') {
    ctx.err(CONFIG_BLOCKS_TOOL);
    for (const line of errors) ctx.err(line);
    return config;
  }
  let runningPid: number | undefined;
  try {
    const state = readPidfile(pidfile);
    if (state.kind === 'running') runningPid = state.pid;
  } catch {
    // an unreadable pidfile only means the listen check cannot tell who holds a port
  }
  const result = await runConnectivity(config, { installDir: ctx.installDir, runningPid, out: (l) => ctx.out(l) });
  return result.exitCode;
}
