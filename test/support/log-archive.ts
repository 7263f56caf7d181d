/**
 * The suite-wide no-secret-in-logs check (issue 7): tests that run the proxy archive the log files
 * it wrote (before deleting their temp dirs) and register the secrets they used; after the whole
 * suite, test/support/global-setup.ts greps every archived log for every registered secret.
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Environment variable naming the archive directory (set by the global setup). */
export const ARCHIVE_ENV = 'AUTHPROXY_TEST_LOG_ARCHIVE';

let seq = 0;

function archiveDir(): string | undefined {
  return process.env[ARCHIVE_ENV];
}

/** Registers secrets (shared secrets, skeys, passwords) that must never appear in a log. */
export function registerSecrets(...secrets: readonly string[]): void {
  const dir = archiveDir();
  if (!dir) return;
  const lines = secrets.filter((s) => s.length >= 6).map((s) => Buffer.from(s, 'utf8').toString('base64') + '\n');
  if (lines.length) appendFileSync(join(dir, 'secrets.b64'), lines.join(''));
}

/** Copies every `*.log*` file under `logDir` into the archive. */
export function archiveLogs(logDir: string): void {
  const dir = archiveDir();
  if (!dir || !existsSync(logDir)) return;
  const dest = join(dir, 'logs', `${process.pid}-${Date.now()}-${seq++}`);
  for (const name of readdirSync(logDir)) {
    const src = join(logDir, name);
    if (!/\.log(\.\d+)?$/.test(name) || !statSync(src).isFile()) continue;
    mkdirSync(dest, { recursive: true });
    cpSync(src, join(dest, name));
  }
}
