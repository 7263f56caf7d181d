/** `authproxyctl version` (spec §8.1): `Duo Security Authentication Proxy <version>` on stdout. */
import type { Command } from 'commander';
import { VERSION } from '../server/version.js';
import type { CliContext } from './main.js';

/** The version line, in the form Duo's `authproxyctl version` and the start-up log use. */
export const VERSION_LINE = `Duo Security Authentication Proxy ${VERSION}`;

/** Registers `version`. */
export function registerVersionCommand(program: Command, ctx: CliContext): void {
  program
    .command('version')
    .description('print the version')
    .action(() => ctx.out(VERSION_LINE));
}
