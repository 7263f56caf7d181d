/**
 * Where the main log and auth events go, from `[main]` (spec §7.1–7.3):
 * - files (`<log_dir>/authproxy.log`, mode 0640, appended across restarts, rotated by size) when
 *   `log_file=true` or when none of `log_file`, `log_stdout`, `log_syslog` is set — so choosing
 *   only `log_stdout` or `log_syslog` turns files off;
 * - `authevents.log` (same rotation) only with `log_auth_events=true` **and** file logging;
 * - stdout (`log_stdout`) and syslog (`log_syslog`, ident `Authproxy`, `syslog_facility`) get
 *   every main-log line, never auth events.
 * Lines are already scrubbed of registered secrets by the Logger; sinks add nothing but
 * newlines and syslog framing, so they cannot leak a password on their own.
 */
import { isAbsolute, join } from 'node:path';
import type { MainConfig } from '../config/types.js';
import { formatAuthEvent, nullAuthEvents, type AuthEvent, type AuthEventSink } from '../proxy/auth-events.js';
import { formatLogTimestamp, type LogLevel, type LogSink } from './logger.js';
import { RotatingFile } from './rotating-file.js';
import { SyslogSink, type SyslogOptions } from './syslog.js';

/** The sinks built from `[main]`. */
export interface LogSinks {
  readonly main: LogSink[];
  readonly events: AuthEventSink;
  /** Absolute log directory (even when file logging is off). */
  readonly logDir: string;
  /** Flushes every queued line and closes files and sockets. */
  close(): Promise<void>;
}

/** Extra knobs (tests, the CLI); the config decides everything else. */
export interface LogSinkOptions {
  /** Overrides `log_stdout` (e.g. false in a daemon whose stdout is /dev/null). */
  readonly stdout?: boolean;
  /** Where stdout lines go (default `process.stdout`). */
  readonly stdoutStream?: NodeJS.WritableStream;
  /** Socket path / UDP fallback of the syslog sink (default `/dev/log`, then 127.0.0.1:514). */
  readonly syslog?: Pick<SyslogOptions, 'path' | 'udp' | 'format'>;
}

/** True when logs go to files (spec §7.3). */
export function fileLoggingEnabled(main: MainConfig): boolean {
  return main.logFile || (!main.logStdout && !main.logSyslog);
}

/** `log_dir` resolved against the install directory. */
export function resolveLogDir(main: MainConfig, installDir: string): string {
  return isAbsolute(main.logDir) ? main.logDir : join(installDir, main.logDir);
}

/** Opens `<logDir>/<name>` with `[main]`'s rotation settings. */
export function openRotatingLog(main: MainConfig, logDir: string, name: string, onError?: (message: string) => void): RotatingFile {
  return RotatingFile.open({ path: join(logDir, name), maxSize: main.logMaxSize, maxFiles: main.logMaxFiles, ...(onError ? { onError } : {}) });
}

/** The main log into a rotating file. */
class FileSink implements LogSink {
  constructor(readonly file: RotatingFile) {}
  write(line: string): void {
    this.file.write(`${line}\n`);
  }
  close(): Promise<void> {
    return this.file.close();
  }
}

/** Lines to a stream, batched into one write per event-loop turn. */
class StreamSink implements LogSink {
  private pending: string[] = [];
  private scheduled = false;
  constructor(private readonly stream: NodeJS.WritableStream) {}
  write(line: string): void {
    this.pending.push(line);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }
  private flush(): boolean {
    this.scheduled = false;
    if (this.pending.length === 0) return true;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    return this.stream.write(text);
  }
  async close(): Promise<void> {
    if (!this.flush()) await new Promise<void>((r) => this.stream.once('drain', () => r()));
  }
}

/** Builds the main-log sinks and the auth-event sink. Throws when the log directory is unusable. */
export function createLogSinks(main: MainConfig, installDir: string, options: LogSinkOptions = {}): LogSinks {
  const logDir = resolveLogDir(main, installDir);
  const sinks: LogSink[] = [];
  const closers: (() => Promise<void>)[] = [];
  // Sink trouble (disk full, syslog gone) is reported once, in Duo's line format, in the other sinks.
  const warnFrom = (from: LogSink | undefined) => (message: string): void => {
    const line = `${formatLogTimestamp(new Date())} [-] ${message}`;
    for (const s of sinks) if (s !== from) s.write(line, 'warn' satisfies LogLevel);
  };
  let events: AuthEventSink = nullAuthEvents;
  if (fileLoggingEnabled(main)) {
    let file: FileSink | undefined = undefined;
    file = new FileSink(openRotatingLog(main, logDir, 'authproxy.log', (m) => warnFrom(file)(m)));
    sinks.push(file);
    closers.push(() => file.close());
    if (main.logAuthEvents) {
      const ev = openRotatingLog(main, logDir, 'authevents.log', warnFrom(undefined));
      events = { write: (e: AuthEvent) => ev.write(`${formatAuthEvent(e, new Date())}\n`) };
      closers.push(() => ev.close());
    }
  }
  if (options.stdout ?? main.logStdout) {
    const out = new StreamSink(options.stdoutStream ?? process.stdout);
    sinks.push(out);
    closers.push(() => out.close());
  }
  if (main.logSyslog) {
    let syslog: SyslogSink | undefined = undefined;
    syslog = new SyslogSink({ facility: main.syslogFacility, ...options.syslog, onError: (m) => warnFrom(syslog)(m) });
    sinks.push(syslog);
    const sys = syslog;
    closers.push(() => sys.close());
  }
  return {
    main: sinks,
    events,
    logDir,
    close: async () => {
      await Promise.allSettled(closers.map((c) => c()));
    },
  };
}
