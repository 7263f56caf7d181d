/**
 * `authproxyctl simulator [--port 8443] [--web-port 8444] [--host 127.0.0.1] [--state-dir DIR]
 * [--write-config FILE [--radius-port 1812] [--template FILE]] [--push-timeout 60]`: runs the push
 * simulator (src/simulator) in the foreground until SIGINT/SIGTERM — a local stand-in for Duo's
 * Auth API with a web page to approve or deny pushes. `--write-config` renders conf/demo.cfg with
 * the simulator's integration into FILE (mode 0600: it holds the skey) once both ports listen, so
 * a script can wait for that file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { hasCode } from '../errors.js';
import { demoTemplatePath, renderDemoConfig } from '../simulator/demo-config.js';
import { startSimulator, type RunningSimulator } from '../simulator/server.js';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.js';
import type { CliContext } from './main.js';

/** Options of the simulator command (ports 0 = any free port). */
export interface SimulatorCommandOptions {
  readonly port: number;
  readonly webPort: number;
  readonly host: string;
  readonly stateDir: string;
  readonly writeConfig?: string | undefined;
  readonly template?: string | undefined;
  readonly radiusPort: number;
  readonly pushTimeoutSec: number;
}

/** The default state dir: `.demo/simulator` under the install directory. */
export function defaultStateDir(installDir: string): string {
  return join(installDir, '.demo', 'simulator');
}

/** Registers `simulator` on `program`. */
export function registerSimulatorCommand(program: Command, ctx: CliContext): void {
  program
    .command('simulator')
    .description('run a local Duo API stand-in with a web page to approve pushes (for demos and tests; not Duo)')
    .option('--port <port>', 'HTTPS port of the simulated Duo API (api_port)', wholeNumber, 8443)
    .option('--web-port <port>', 'plain-HTTP port of the approval web page', wholeNumber, 8444)
    .option('--host <address>', 'bind address of both (keep it on loopback: the page has no login)', '127.0.0.1')
    .option('--state-dir <dir>', 'where the ikey/skey and certificates are kept', defaultStateDir(ctx.installDir))
    .option('--write-config <file>', 'write a proxy config for this simulator (from conf/demo.cfg) to FILE')
    .option('--template <file>', 'config template for --write-config', demoTemplatePath(ctx.installDir))
    .option('--radius-port <port>', 'RADIUS port written into --write-config', wholeNumber, 1812)
    .option('--push-timeout <seconds>', 'unanswered pushes are denied as timed out after this long', wholeNumber, 60)
    .action(async (o: Omit<SimulatorCommandOptions, 'pushTimeoutSec'> & { pushTimeout: number }) => {
      const stop = new Promise<void>((done) => {
        process.once('SIGINT', () => done());
        process.once('SIGTERM', () => done());
      });
      ctx.setExitCode(await runSimulatorCommand({ ...o, pushTimeoutSec: o.pushTimeout }, ctx, stop));
    });
}

function wholeNumber(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new InvalidArgumentError('must be a whole number 0-65535');
  return n;
}

/** Starts the simulator, prints where everything is, runs until `stop` settles; returns the exit code. */
export async function runSimulatorCommand(o: SimulatorCommandOptions, ctx: CliContext, stop: Promise<void>): Promise<number> {
  let sim: RunningSimulator;
  try {
    sim = await startSimulator({
      stateDir: resolve(o.stateDir), host: o.host, port: o.port, webPort: o.webPort, pushTimeoutMs: o.pushTimeoutSec * 1000,
      log: (line) => ctx.out(`${new Date().toISOString()} ${line}`),
    });
  } catch (err) {
    if (!hasCode(err, 'AP_ERR_SIMULATOR_SETUP')) throw err;
    ctx.err(`authproxyctl simulator: ${err.message}`);
    return EXIT_FAILURE;
  }
  try {
    if (o.writeConfig !== undefined) writeConfig(sim, o);
  } catch (err) {
    await sim.close();
    ctx.err(`authproxyctl simulator: cannot write the config: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT_FAILURE;
  }
  for (const line of banner(sim, o)) ctx.out(line);
  await stop;
  ctx.out('Stopping the simulator');
  await sim.close();
  return EXIT_OK;
}

/** The start-up text: where the page is and what to put in a config. */
export function banner(sim: RunningSimulator, o: Pick<SimulatorCommandOptions, 'writeConfig' | 'host'>): string[] {
  const lines = [
    'authproxy push simulator: a local stand-in for Duo (not connected to Duo)',
    `  Web page:   ${sim.webUrl}   (approve or deny pushes here)`,
    `  Duo API:    ${sim.apiUrl}   (api_host=${sim.apiHost}, api_port=${sim.apiPort})`,
    `  ikey:       ${sim.ikey}`,
    `  skey:       in ${sim.integrationFile}`,
    `  CA file:    ${sim.caCertPath}   ([main] http_ca_certs_file)`,
  ];
  if (o.writeConfig !== undefined) lines.push(`  Config:     ${o.writeConfig}`);
  if (!['127.0.0.1', '::1', 'localhost'].includes(o.host)) lines.push(`  WARNING: bound to ${o.host}; anyone who can reach the page can approve pushes`);
  lines.push('Press Ctrl-C to stop.');
  return lines;
}

function writeConfig(sim: RunningSimulator, o: SimulatorCommandOptions): void {
  const out = resolve(o.writeConfig ?? '');
  const text = renderDemoConfig(readFileSync(o.template ?? '', 'utf8'), {
    ikey: sim.ikey, skey: sim.skey, apiHost: sim.apiHost, apiPort: sim.apiPort, caCertPath: sim.caCertPath,
    logDir: join(dirname(out), 'log'), radiusPort: o.radiusPort,
  });
  mkdirSync(dirname(out), { recursive: true });
  // Written whole under a temporary name, then renamed: a script waiting for the file never reads half of it.
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, out);
}
