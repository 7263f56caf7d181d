/**
 * Where the main log and auth events go, from `[main]` (spec §7.1–7.3). Files are used when
 * `log_file=true` or when none of `log_file`, `log_stdout`, `log_syslog` is set.
 * (Minimal version: append-only files and stdout; rotation and syslog are added in this file.)
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { MainConfig } from '../config/types.js';
import { formatAuthEvent, type AuthEvent, type AuthEventSink } from '../proxy/auth-events.js';
import type { LogSink } from './logger.js';

/** The sinks built from `[main]`. */
export interface LogSinks {
  readonly main: LogSink[];
  readonly events: AuthEventSink;
  /** Absolute log directory (even when file logging is off). */
  readonly logDir: string;
  close(): Promise<void>;
}

/** True when logs go to files (spec §7.3). */
export function fileLoggingEnabled(main: MainConfig): boolean {
  return main.logFile || (!main.logStdout && !main.logSyslog);
}

class AppendFileSink implements LogSink {
  constructor(private readonly file: string) {}
  write(line: string): void {
    appendFileSync(this.file, line + '\n', { mode: 0o640 });
  }
}

/** Builds the main-log sinks and the auth-event sink. */
export function createLogSinks(main: MainConfig, installDir: string): LogSinks {
  const logDir = isAbsolute(main.logDir) ? main.logDir : join(installDir, main.logDir);
  const sinks: LogSink[] = [];
  let events: AuthEventSink = { write: () => undefined };
  if (fileLoggingEnabled(main)) {
    mkdirSync(logDir, { recursive: true });
    sinks.push(new AppendFileSink(join(logDir, 'authproxy.log')));
    if (main.logAuthEvents) {
      const file = new AppendFileSink(join(logDir, 'authevents.log'));
      events = { write: (e: AuthEvent) => file.write(formatAuthEvent(e, new Date())) };
    }
  }
  if (main.logStdout) sinks.push({ write: (line) => void process.stdout.write(line + '\n') });
  return { main: sinks, events, logDir, close: async () => undefined };
}
