/**
 * `authproxyctl`: the command line. Each command lives in its own file and registers itself on
 * the commander program through a {@link CommandRegistrar} listed in `COMMANDS`; add start, stop,
 * status… by appending their registrars there. bin/authproxyctl calls {@link main}.
 */
import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerCheckCommand } from './check.js';
import { registerConnectivityCommand } from './connectivity.js';
import { registerReloadCommand } from './reload.js';
import { registerRestartCommand } from './restart.js';
import { registerRunCommand } from './run-foreground.js';
import { registerStartCommand } from './start.js';
import { registerStatusCommand } from './status.js';
import { registerStopCommand } from './stop.js';
import { registerVersionCommand } from './version.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_UNKNOWN_COMMAND, EXIT_USAGE } from './exit-codes.js';
import { registerSimulatorCommand } from './simulator.js';
import { registerTestLoginCommand } from './test-login.js';

/** What commands get from the process: the install directory and where output goes. */
export interface CliContext {
  /** The directory containing bin/ (Duo's install dir); default paths are relative to it. */
  readonly installDir: string;
  /** Writes one line to stdout. */
  out(line: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
  /** Sets the process exit code (see exit-codes.ts). */
  setExitCode(code: number): void;
}

/** Adds one command to the program. */
export type CommandRegistrar = (program: Command, ctx: CliContext) => void;

/** Every command of authproxyctl, in help order. */
const COMMANDS: readonly CommandRegistrar[] = [
  registerStartCommand, registerStopCommand, registerRestartCommand, registerStatusCommand, registerVersionCommand,
  registerRunCommand, registerConnectivityCommand, registerReloadCommand,
  registerCheckCommand, registerTestLoginCommand, registerSimulatorCommand,
];

/** Builds the commander program with every command registered. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('authproxyctl')
    .description('authproxy: a Duo-compatible RADIUS two-factor proxy')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.out(s.replace(/\n$/, '')),
      writeErr: (s) => ctx.err(s.replace(/\n$/, '')),
    });
  for (const register of COMMANDS) register(program, ctx);
  return program;
}

/** Runs authproxyctl with `argv` as in `process.argv`; sets `process.exitCode`, never exits. */
export async function main(argv: string[], ctx: CliContext = processContext(argv)): Promise<void> {
  ctx.setExitCode(EXIT_OK);
  try {
    await buildProgram(ctx).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) ctx.setExitCode(commanderExitCode(err));
    else {
      ctx.err(`authproxyctl: ${err instanceof Error ? err.message : String(err)}`);
      ctx.setExitCode(EXIT_FAILURE);
    }
  }
}

function commanderExitCode(err: CommanderError): number {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
  if (err.code === 'commander.unknownCommand') return EXIT_UNKNOWN_COMMAND;
  return EXIT_USAGE;
}

function processContext(argv: readonly string[]): CliContext {
  return {
    installDir: installDirOf(argv[1]),
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}

/** The directory containing bin/: from the script path, else from this file (dist/src/cli/). */
export function installDirOf(script: string | undefined): string {
  if (script) {
    try {
      return dirname(dirname(realpathSync(script)));
    } catch {
      // fall through: not a real path (e.g. an embedded runner)
    }
  }
  return fileURLToPath(new URL('../../..', import.meta.url));
}
