/**
 * Daemonising for `authproxyctl start`: launch `node <install>/bin/authproxyctl run …` detached
 * (its own session via setsid, stdin/stdout/stderr on /dev/null, working directory `/`) with an
 * IPC channel, and wait until the child reports that its listeners are bound — or why it could
 * not start. The child writes and removes the pidfile itself (pidfile.ts). Once the answer is in,
 * the channel is closed and the child is unref'd, so `start` returns while the daemon runs on.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { MESSAGES } from './common.js';
import { EXIT_FAILURE } from './exit-codes.js';
import type { DaemonMessage } from './run-foreground.js';

/** How to launch the daemon. */
export interface SpawnDaemonOptions {
  readonly installDir: string;
  /** Absolute config path. */
  readonly config: string;
  /** Absolute pidfile path. */
  readonly pidfile: string;
  readonly graceSec: number;
  /** How long to wait for the readiness report. */
  readonly timeoutMs: number;
}

/** How the launch went. */
export type SpawnResult =
  | { readonly kind: 'ready'; readonly pid: number }
  | { readonly kind: 'running'; readonly pid: number }
  | { readonly kind: 'failed'; readonly exitCode: number; readonly lines: readonly string[] };

/** The script the daemon runs: the install's own `bin/authproxyctl`. */
export function authproxyctlScript(installDir: string): string {
  return join(installDir, 'bin', 'authproxyctl');
}

/** Launches the daemon and waits for its report (see the module comment). */
export function spawnDaemon(opts: SpawnDaemonOptions): Promise<SpawnResult> {
  const args = [authproxyctlScript(opts.installDir), 'run', '--config', opts.config, '--pidfile', opts.pidfile, '--grace', String(opts.graceSec)];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'ipc'], cwd: '/' });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: SpawnResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.removeAllListeners();
      child.on('error', () => undefined);
      if (child.connected) child.disconnect();
      child.unref();
      resolve(result);
    };
    const failed = (reason: string): SpawnResult => ({ kind: 'failed', exitCode: EXIT_FAILURE, lines: [MESSAGES.startFailed(reason)] });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      finish(failed(`the proxy did not report ready within ${opts.timeoutMs / 1000} s`));
    }, opts.timeoutMs);
    child.on('message', (m: DaemonMessage) => {
      if (m.type === 'ready') finish({ kind: 'ready', pid: m.pid });
      else if (m.type === 'running') finish({ kind: 'running', pid: m.pid });
      else if (m.type === 'failed') finish({ kind: 'failed', exitCode: m.exitCode, lines: m.lines });
    });
    child.once('error', (err) => finish(failed(err.message)));
    child.once('exit', (code, signal) => finish(failed(code !== null ? `exit status ${code}` : `killed by ${signal ?? 'a signal'}`)));
  });
}
