/**
 * RotatingFile on real files (spec §7.3): rotation before each write once the file holds
 * ≥ log_max_size bytes, `.1`…`.N` shifting, log_max_files (0 = unlimited), log_max_size 0 = never,
 * appending across reopen, mode 0640, deferred batched writes, flush on close, and a failing
 * rotation skipped silently without losing lines.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingFile, flushAllRotatingFiles, rotatedNumbers } from '../../src/log/rotating-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'authproxy-rotation-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A 10-byte record: `r00000007\n`. */
const rec = (i: number): string => `r${String(i).padStart(8, '0')}\n`;
const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
const records = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, k) => rec(from + k)).join('');

async function writeAll(file: RotatingFile, from: number, to: number): Promise<void> {
  for (let i = from; i <= to; i++) file.write(rec(i));
  await file.close();
}

describe('RotatingFile', () => {
  it('rotates before the write that finds the file at log_max_size; log_max_files=0 keeps every copy', async () => {
    const file = RotatingFile.open({ path: join(dir, 'authproxy.log'), maxSize: 30, maxFiles: 0 });
    await writeAll(file, 1, 10);
    expect(read('authproxy.log')).toBe(rec(10));
    expect(read('authproxy.log.1')).toBe(records(7, 9));
    expect(read('authproxy.log.2')).toBe(records(4, 6));
    expect(read('authproxy.log.3')).toBe(records(1, 3));
    expect(rotatedNumbers(join(dir, 'authproxy.log'))).toEqual([3, 2, 1]);
  });

  it('log_max_files=2 deletes older copies: .1 and .2 only', async () => {
    const file = RotatingFile.open({ path: join(dir, 'authproxy.log'), maxSize: 30, maxFiles: 2 });
    await writeAll(file, 1, 10);
    expect(readdirSync(dir).sort()).toEqual(['authproxy.log', 'authproxy.log.1', 'authproxy.log.2']);
    expect(read('authproxy.log.1')).toBe(records(7, 9));
    expect(read('authproxy.log.2')).toBe(records(4, 6));
  });

  it('removes stray copies numbered above log_max_files left by an earlier, larger setting', async () => {
    for (const n of [1, 2, 5]) writeFileSync(join(dir, `authproxy.log.${n}`), `old ${n}\n`);
    writeFileSync(join(dir, 'authproxy.log'), records(1, 3));
    const file = RotatingFile.open({ path: join(dir, 'authproxy.log'), maxSize: 30, maxFiles: 2 });
    await writeAll(file, 4, 4);
    expect(readdirSync(dir).sort()).toEqual(['authproxy.log', 'authproxy.log.1', 'authproxy.log.2']);
    expect(read('authproxy.log.1')).toBe(records(1, 3));
    expect(read('authproxy.log.2')).toBe('old 1\n');
  });

  it('log_max_size=0 never rotates', async () => {
    const file = RotatingFile.open({ path: join(dir, 'a.log'), maxSize: 0, maxFiles: 1 });
    await writeAll(file, 1, 100);
    expect(readdirSync(dir)).toEqual(['a.log']);
    expect(read('a.log')).toBe(records(1, 100));
  });

  it('appends across reopen and counts the bytes already there', async () => {
    await writeAll(RotatingFile.open({ path: join(dir, 'a.log'), maxSize: 30, maxFiles: 3 }), 1, 2);
    await writeAll(RotatingFile.open({ path: join(dir, 'a.log'), maxSize: 30, maxFiles: 3 }), 3, 4);
    expect(read('a.log.1')).toBe(records(1, 3));
    expect(read('a.log')).toBe(rec(4));
  });

  it('creates files with mode 0640 whatever the umask, and creates the directory', async () => {
    const old = process.umask(0o077);
    try {
      const path = join(dir, 'sub', 'dir', 'authevents.log');
      await writeAll(RotatingFile.open({ path, maxSize: 10, maxFiles: 2 }), 1, 2);
      expect(statSync(path).mode & 0o777).toBe(0o640);
      expect(statSync(`${path}.1`).mode & 0o777).toBe(0o640);
    } finally {
      process.umask(old);
    }
  });

  it('writes are deferred and batched: nothing reaches the file in the caller\'s turn, all of it by the next', async () => {
    const file = RotatingFile.open({ path: join(dir, 'a.log'), maxSize: 0, maxFiles: 0 });
    for (let i = 1; i <= 50; i++) file.write(rec(i));
    expect(read('a.log')).toBe('');
    expect(file.currentSize).toBe(500);
    await new Promise((r) => setImmediate(r));
    expect(read('a.log')).toBe(records(1, 50));
    await file.close();
  });

  it('close() and the exit hook flush what is queued; writes after close are ignored', async () => {
    const a = RotatingFile.open({ path: join(dir, 'a.log'), maxSize: 0, maxFiles: 0 });
    const b = RotatingFile.open({ path: join(dir, 'b.log'), maxSize: 0, maxFiles: 0 });
    a.write(rec(1));
    b.write(rec(2));
    flushAllRotatingFiles();
    expect([read('a.log'), read('b.log')]).toEqual([rec(1), rec(2)]);
    a.write(rec(3));
    await a.close();
    a.write(rec(4));
    await new Promise((r) => setImmediate(r));
    expect(read('a.log')).toBe(records(1, 1) + rec(3));
    await b.close();
  });

  it('a rotation that cannot be done is skipped silently and no line is lost', async () => {
    // authproxy.log.2 is a non-empty directory: deleting it (≥ log_max_files) fails.
    mkdirSync(join(dir, 'authproxy.log.2'));
    writeFileSync(join(dir, 'authproxy.log.2', 'keep'), 'x');
    const errors: string[] = [];
    const file = RotatingFile.open({ path: join(dir, 'authproxy.log'), maxSize: 30, maxFiles: 2, onError: (m) => errors.push(m) });
    await writeAll(file, 1, 10);
    expect(read('authproxy.log')).toBe(records(1, 10));
    expect(existsSync(join(dir, 'authproxy.log.1'))).toBe(false);
    expect(errors).toEqual([]);
  });
});
