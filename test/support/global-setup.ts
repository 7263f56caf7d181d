/**
 * Vitest global setup: creates the log archive for the suite-wide secret check and, after every
 * test file has run, greps every archived log file for every registered secret (raw and hex).
 * A hit fails the run, naming the file but never printing the secret.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARCHIVE_ENV } from './log-archive.js';

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Creates the archive; returns the teardown that runs the check. */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'authproxy-log-archive-'));
  process.env[ARCHIVE_ENV] = dir;
  return () => {
    const secretsFile = join(dir, 'secrets.b64');
    const secrets = existsSync(secretsFile)
      ? [...new Set(readFileSync(secretsFile, 'utf8').split('\n').filter(Boolean))].map((b) => Buffer.from(b, 'base64').toString('utf8'))
      : [];
    const files = walk(join(dir, 'logs'));
    const hits: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'latin1');
      secrets.forEach((s, i) => {
        const hex = Buffer.from(s, 'utf8').toString('hex');
        if (text.includes(Buffer.from(s, 'utf8').toString('latin1')) || text.toLowerCase().includes(hex)) hits.push(`${f} contains registered secret #${i + 1}`);
      });
    }
    console.log(`no-secret-in-logs: ${files.length} log files from the whole suite checked against ${secrets.length} secrets`);
    rmSync(dir, { recursive: true, force: true });
    // Vitest does not fail a run for a teardown error: test/run.sh reads this verdict instead.
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/no-secret-in-logs.json', JSON.stringify({ files: files.length, secrets: secrets.length, hits }));
    if (files.length === 0 || secrets.length === 0) throw new Error('no-secret-in-logs: nothing was archived or registered; the check would be empty');
    if (hits.length) throw new Error(`secrets found in log files:\n${hits.join('\n')}`);
  };
}
