/**
 * What the process-control commands share: Duo's `authproxyctl` texts (spec §8.1, quoted
 * exactly), option parsing, and turning a start-up failure into stderr lines plus an exit code
 * (config errors exactly as `authproxyctl check` prints them).
 */
import { isAbsolute, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { formatIssue } from '../config/issues.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { hasCode } from '../errors.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_NOINPUT } from './exit-codes.js';
import type { CliContext } from './main.js';

/** Duo's texts (spec §8.1). */
export const MESSAGES = {
  running: (pid: number): string => `duoauthproxy (pid ${pid}) is running`,
  notRunning: 'duoauthproxy is not running',
  statusUnknown: 'duoauthproxy status unknown!',
  startFailed: (reason: string): string => `Failed to start duoauthproxy: ${reason}`,
  stopFailed: (reason: string): string => `Failed to stop duoauthproxy: ${reason}`,
  configNotValid: 'Your configuration is not valid. Check the validation output for errors.',
  connectivityHint: (installDir: string): string =>
    `If the duoauthproxy failed to start for connectivity reasons, the connectivity tool (${installDir}/bin/authproxyctl connectivity) can be run independently to test for connectivity problems.`,
} as const;

/** Default grace period for in-flight logins on SIGTERM/SIGINT, in seconds. */
export const DEFAULT_GRACE_SEC = 10;
/** Default wait of `stop` for the process to exit, in seconds. */
export const DEFAULT_STOP_TIMEOUT_SEC = 30;
/** Default wait of `start` for the daemon's readiness report, in seconds. */
export const DEFAULT_START_TIMEOUT_SEC = 60;

/** commander argument parser: a non-negative number of seconds (fractions allowed). */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds ≥ 0');
  return n;
}

/** An absolute path (relative ones resolve against the current directory, as a shell user expects). */
export function absolute(path: string): string {
  return isAbsolute(path) ? path : resolve(path);
}

/** A start-up failure as the lines to print and the exit code. */
export interface Failure {
  readonly exitCode: number;
  readonly lines: readonly string[];
}

/**
 * Config errors → every issue in line order, one per line (as `check`), exit 78; unreadable
 * file → its message, exit 66; anything else → `Failed to start duoauthproxy: <reason>`, exit 1.
 */
export function describeStartError(err: unknown): Failure {
  if (hasCode(err, 'AP_ERR_CONFIG_UNREADABLE')) return { exitCode: EXIT_NOINPUT, lines: [err.message] };
  if (hasCode(err, 'AP_ERR_CONFIG_INVALID') && 'issues' in err && Array.isArray(err.issues)) {
    return { exitCode: EXIT_CONFIG, lines: (err.issues as Parameters<typeof formatIssue>[0][]).map(formatIssue) };
  }
  if (hasCode(err, 'AP_ERR_CONFIG_INVALID')) return { exitCode: EXIT_CONFIG, lines: err.message.split('\n') };
  const reason = err instanceof Error ? err.message : String(err);
  return { exitCode: EXIT_FAILURE, lines: [MESSAGES.startFailed(reason)] };
}

/** Loads the config, printing failures like `check` does; a number is the exit code. */
export async function loadForCli(file: string, ctx: CliContext): Promise<Config | number> {
  try {
    return await loadConfig(file);
  } catch (err) {
    if (!hasCode(err, 'AP_ERR_CONFIG_UNREADABLE') && !hasCode(err, 'AP_ERR_CONFIG_INVALID')) throw err;
    const failure = describeStartError(err);
    for (const line of failure.lines) ctx.err(line);
    return failure.exitCode;
  }
}

/** Sleeps `ms` (for polling loops). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
