/**
 * A log file with Duo's size-based rotation (spec §7.3), used for `authproxy.log`,
 * `authevents.log` and `connectivity_tool.log`.
 *
 * Rotation: before each record is written, if the file already holds ≥ `maxSize` bytes, copies
 * numbered ≥ `maxFiles` are deleted, `.N` is renamed to `.N+1` from the highest down, the live
 * file becomes `.1` and a new live file is opened. `maxSize = 0` never rotates; `maxFiles = 0`
 * keeps every copy. When the directory or the file is not writable, or a rename fails, the
 * rotation is skipped silently and writing goes on in the current file (retried at most once a
 * second). The size is tracked in memory from the size found at open, as Twisted's LogFile does.
 *
 * Writing: `write()` only queues the record; the queue is written in one `write(2)` per event-loop
 * turn (a deferred flush on `setImmediate`), so a burst of requests costs one system call per turn,
 * not one per line, and no caller ever waits for the disk. The flush itself is synchronous on
 * purpose: records reach the file in order, before any reply sent in the same turn is read by a
 * peer, with no thread-pool hop that could reorder them against a rotation. `close()` and the
 * process `exit` hook flush what is queued, so a clean stop loses nothing.
 */
import { accessSync, closeSync, constants, existsSync, fchmodSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Options of a {@link RotatingFile}. */
export interface RotatingFileOptions {
  /** Absolute path of the live file. */
  readonly path: string;
  /** Rotate when the file holds at least this many bytes; 0 = never (`log_max_size`). */
  readonly maxSize: number;
  /** Rotated copies kept (`.1` … `.N`); 0 = unlimited (`log_max_files`). */
  readonly maxFiles: number;
  /** Mode of files this class creates (default 0640, spec §7.1), applied regardless of umask. */
  readonly mode?: number;
  /** Called once per kind of failure (e.g. a failed write), never with record contents. */
  readonly onError?: (message: string) => void;
}

const RETRY_ROTATION_MS = 1000;
const open = new Set<RotatingFile>();
let exitHookInstalled = false;

/** Flushes every open file synchronously (the process `exit` hook; also handy before a crash exit). */
export function flushAllRotatingFiles(): void {
  for (const f of open) f.flushNow();
}

/** One rotating log file. Create with {@link RotatingFile.open}. */
export class RotatingFile {
  private fd: number;
  private size: number;
  private queue: string[] = [];
  private scheduled = false;
  private closed = false;
  private rotationBlockedUntil = 0;
  private readonly reported = new Set<string>();

  private constructor(
    private readonly opts: RotatingFileOptions,
    fd: number,
  ) {
    this.fd = fd;
    this.size = fstatSync(fd).size;
  }

  /**
   * Opens (creating the directory and the file when needed) for appending. Throws the fs error
   * (EACCES, ENOTDIR…) so start-up can report an unusable log directory.
   */
  static open(opts: RotatingFileOptions): RotatingFile {
    mkdirSync(dirname(opts.path), { recursive: true });
    const file = new RotatingFile(opts, openLive(opts.path, opts.mode ?? 0o640));
    open.add(file);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', flushAllRotatingFiles);
    }
    return file;
  }

  /** The live file's path. */
  get path(): string {
    return this.opts.path;
  }

  /** Bytes in the live file, including queued records. */
  get currentSize(): number {
    return this.size + this.queue.reduce((n, r) => n + Buffer.byteLength(r), 0);
  }

  /** Queues one record (its text must end with a newline); written on the next loop turn. */
  write(record: string): void {
    if (this.closed) return;
    this.queue.push(record);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flushNow());
  }

  /** Writes the queue now, rotating before each record as needed. */
  flushNow(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const records = this.queue;
    this.queue = [];
    let chunk = '';
    for (const record of records) {
      if (this.shouldRotate()) {
        this.writeOut(chunk);
        chunk = '';
        this.rotate();
      }
      chunk += record;
      this.size += Buffer.byteLength(record);
    }
    this.writeOut(chunk);
  }

  /** Flushes and closes the file; later writes are ignored. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flushNow();
    this.closed = true;
    open.delete(this);
    try {
      closeSync(this.fd);
    } catch {
      // already closed by the OS (e.g. the fd was revoked); nothing left to lose
    }
  }

  private shouldRotate(): boolean {
    return this.opts.maxSize > 0 && this.size >= this.opts.maxSize && Date.now() >= this.rotationBlockedUntil;
  }

  private writeOut(text: string): void {
    if (text === '') return;
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (err) {
      this.report('write', `cannot write ${basename(this.opts.path)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }

  /** Spec §7.3; skipped silently (and retried later) when anything is not writable. */
  private rotate(): void {
    const { path, maxFiles } = this.opts;
    try {
      accessSync(dirname(path), constants.W_OK);
      accessSync(path, constants.W_OK);
      for (const n of rotatedNumbers(path)) {
        if (maxFiles > 0 && n >= maxFiles) rmSync(`${path}.${n}`);
        else renameSync(`${path}.${n}`, `${path}.${n + 1}`);
      }
      renameSync(path, `${path}.1`);
      const fd = openLive(path, this.opts.mode ?? 0o640);
      closeSync(this.fd);
      this.fd = fd;
      this.size = 0;
    } catch {
      this.rotationBlockedUntil = Date.now() + RETRY_ROTATION_MS;
    }
  }

  private report(kind: string, message: string): void {
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    this.opts.onError?.(message);
  }
}

/** Opens `path` for appending; a file created here gets `mode` exactly (umask does not apply). */
function openLive(path: string, mode: number): number {
  const created = !existsSync(path);
  const fd = openSync(path, 'a', mode);
  if (created) {
    try {
      fchmodSync(fd, mode);
    } catch {
      // a file system without modes (e.g. some mounts): keep what the OS gave
    }
  }
  return fd;
}

/** The numbers of the rotated copies of `path` that exist (`path.1`, `path.7`…), highest first. */
export function rotatedNumbers(path: string): number[] {
  const base = basename(path);
  const out: number[] = [];
  for (const name of readdirSync(dirname(path))) {
    if (!name.startsWith(`${base}.`)) continue;
    const suffix = name.slice(base.length + 1);
    if (/^[1-9]\d*$/.test(suffix)) out.push(Number(suffix));
  }
  return out.sort((a, b) => b - a);
}
