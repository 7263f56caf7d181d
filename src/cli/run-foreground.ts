/**
 * `authproxyctl run` (alias `start --foreground`): the proxy in this process, no daemonising —
 * for systemd `Type=simple`, containers, and as the body of the daemon `start` launches.
 *
 * 1. Takes the pidfile exclusively (a live owner wins: `duoauthproxy (pid N) is running`).
 * 2. `runProxy()`: config, logs, listeners. Failures print like `check` (78/66) or
 *    `Failed to start duoauthproxy: <reason>` (1).
 * 3. Ready: when started by `authproxyctl start` (an IPC channel exists) the parent is told
 *    `{type: 'ready'}` and the channel is closed.
 * 4. SIGTERM/SIGINT: listeners close, in-flight logins get `--grace` seconds to be answered, the
 *    rest are aborted without a reply (each logged `…: not answering: shutting down`), logs are
 *    flushed, the pidfile is removed, exit 0.
 * Uncaught exceptions and unhandled rejections are logged, the proxy is stopped without grace
 * and the process exits 70: never running on half-broken.
 */
import type { Command } from 'commander';
import { flushAllRotatingFiles } from '../log/rotating-file.js';
import { runProxy, type RunningProxy } from '../server/run.js';
import { defaultConfigPath } from './check.js';
import { DEFAULT_GRACE_SEC, MESSAGES, absolute, describeStartError, parseSeconds, type Failure } from './common.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_SOFTWARE } from './exit-codes.js';
import type { CliContext } from './main.js';
import { acquirePidfile, defaultPidfilePath, releasePidfile } from './pidfile.js';

/** Options of an in-process run. */
export interface RunOptions {
  /** Absolute config path. */
  readonly config: string;
  /** Absolute pidfile path, or false for none. */
  readonly pidfile: string | false;
  /** Grace period for in-flight logins on SIGTERM/SIGINT, in seconds. */
  readonly graceSec: number;
}

/** What the daemon tells `authproxyctl start` over IPC. */
export type DaemonMessage =
  | { readonly type: 'ready'; readonly pid: number; readonly listeners: readonly { address: string; port: number }[] }
  | { readonly type: 'running'; readonly pid: number }
  | { readonly type: 'failed'; readonly exitCode: number; readonly lines: readonly string[] };

const FATAL_STOP_MS = 3000;
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Registers `run`. */
export function registerRunCommand(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('run the proxy in the foreground (systemd Type=simple, containers)')
    .option('--config <file>', 'configuration file', defaultConfigPath(ctx.installDir))
    .option('--pidfile <file>', 'pidfile', defaultPidfilePath(ctx.installDir))
    .option('--no-pidfile', 'do not write a pidfile')
    .option('--grace <seconds>', 'on SIGTERM/SIGINT, time in-flight logins get to be answered', parseSeconds, DEFAULT_GRACE_SEC)
    .action(async (o: { config: string; pidfile: string | false; grace: number }) => {
      const code = await runInProcess({ config: absolute(o.config), pidfile: o.pidfile === false ? false : absolute(o.pidfile), graceSec: o.grace }, ctx);
      exitSoon(code);
    });
}

/** Sets the exit code; if a stray handle keeps the loop alive, exits anyway a moment later. */
export function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2000).unref();
}

function notify(message: DaemonMessage): Promise<void> {
  const send = process.send?.bind(process);
  if (!send || !process.connected) return Promise.resolve();
  return new Promise((resolve) => {
    send(message, undefined, {}, () => resolve());
  });
}

function reportFailure(failure: Failure, ctx: CliContext): Promise<number> {
  for (const line of failure.lines) ctx.err(line);
  return notify({ type: 'failed', exitCode: failure.exitCode, lines: failure.lines }).then(() => failure.exitCode);
}

/** Runs the proxy until SIGTERM/SIGINT (SIGHUP reloads the config); resolves with the exit code. */
export async function runInProcess(opts: RunOptions, ctx: CliContext): Promise<number> {
  const stop = stopSignal();
  if (opts.pidfile !== false) {
    let owner;
    try {
      owner = acquirePidfile(opts.pidfile);
    } catch (err) {
      stop.dispose();
      return reportFailure({ exitCode: EXIT_FAILURE, lines: [MESSAGES.startFailed(`cannot write pidfile ${opts.pidfile}: ${(err as Error).message}`)] }, ctx);
    }
    if (owner.kind === 'running') {
      stop.dispose();
      ctx.err(MESSAGES.running(owner.pid));
      await notify({ type: 'running', pid: owner.pid });
      return EXIT_FAILURE;
    }
  }
  const release = (): void => {
    if (opts.pidfile !== false) releasePidfile(opts.pidfile);
  };
  const fatal = installFatalHandlers(ctx, release);
  let running: RunningProxy;
  try {
    running = await runProxy({ configPath: opts.config, installDir: ctx.installDir });
  } catch (err) {
    release();
    stop.dispose();
    fatal.dispose();
    return reportFailure(describeStartError(err), ctx);
  }
  fatal.attach(running);
  // SIGHUP: reload the config in place (our extension; in-flight logins are not dropped).
  const onHup = (): void => void running.reload();
  process.on('SIGHUP', onHup);
  await notify({ type: 'ready', pid: process.pid, listeners: running.listeners.map((l) => ({ address: l.address, port: l.port })) });
  if (process.connected) process.disconnect?.();
  const signal = await stop.received;
  const inflight = running.proxy.inflight;
  running.log.info(`Received ${signal}: stopping; waiting up to ${opts.graceSec} s for ${inflight} login(s) in flight, then dropping the rest unanswered`);
  process.off('SIGHUP', onHup);
  await running.stop(opts.graceSec * 1000);
  release();
  stop.dispose();
  fatal.dispose();
  return EXIT_OK;
}

/** Resolves with the first SIGTERM/SIGINT (listening from the start, so an early signal is not lost). */
function stopSignal(): { received: Promise<string>; dispose(): void } {
  let resolve!: (s: string) => void;
  const received = new Promise<string>((r) => (resolve = r));
  const handler = (s: NodeJS.Signals): void => resolve(s);
  for (const s of SIGNALS) process.on(s, handler);
  return { received, dispose: () => SIGNALS.forEach((s) => process.off(s, handler)) };
}

/** Uncaught exceptions / unhandled rejections: log, stop without grace, exit 70. */
function installFatalHandlers(ctx: CliContext, release: () => void): { attach(r: RunningProxy): void; dispose(): void } {
  let running: RunningProxy | undefined;
  let dying = false;
  const die = (kind: string) => (err: unknown): void => {
    if (dying) return;
    dying = true;
    if (running) running.log.error(`${kind}: the proxy is stopping`, err);
    const text = `${kind}: ${err instanceof Error ? err.message : String(err)}`;
    ctx.err(running ? `duoauthproxy stopped: ${text}` : MESSAGES.startFailed(text));
    const done = (): void => {
      flushAllRotatingFiles();
      release();
      process.exit(EXIT_SOFTWARE);
    };
    const stopping = running ? running.stop(0).catch(() => undefined) : notify({ type: 'failed', exitCode: EXIT_SOFTWARE, lines: [MESSAGES.startFailed(text)] });
    setTimeout(done, FATAL_STOP_MS).unref();
    void stopping.then(done);
  };
  const onException = die('Unhandled exception');
  const onRejection = die('Unhandled promise rejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return {
    attach: (r) => {
      running = r;
    },
    dispose: () => {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    },
  };
}
