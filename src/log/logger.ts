/**
 * The main log, in Duo's `authproxy.log` line format (spec §7.1):
 * `<local time %Y-%m-%dT%H:%M:%S%z> [<system>] <text>`, continuation lines indented with a tab.
 *
 * Sinks (file with rotation, stdout, syslog, memory for tests) receive finished lines. As a last
 * line of defence every registered secret is scrubbed from every line before it reaches a sink:
 * code must never log a secret, password or skey, and this makes a slip visible as `*****`.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where finished log lines go. */
export interface LogSink {
  write(line: string, level: LogLevel): void;
  close?(): Promise<void>;
}

/** The logging interface every module receives; `system` is Duo's `[<system>]` label. */
export interface Logger {
  readonly debugEnabled: boolean;
  debug(text: string): void;
  info(text: string): void;
  warn(text: string): void;
  error(text: string, err?: unknown): void;
  /** A logger writing under another `[<system>]` label to the same sinks. */
  child(system: string): Logger;
}

/** Shared state behind a logger family: sinks, debug switch, secrets to scrub. */
export interface LogCore {
  sinks: LogSink[];
  debug: boolean;
  secrets: Set<string>;
  clock?: () => Date;
}

/** Formats a date as Duo's main-log timestamp: local time `%Y-%m-%dT%H:%M:%S%z`. */
export function formatLogTimestamp(d: Date): string {
  const p = (n: number): string => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${sign}${p(off / 60)}${p(off % 60)}`
  );
}

let stampSecond = NaN;
let stampText = '';

/**
 * The timestamp for now. A busy proxy logs ~8 lines per login, and the text only changes once a
 * second (it has no fraction, and the zone offset is a function of the instant): formatted once
 * per second.
 */
function currentTimestamp(): string {
  const ms = Date.now();
  const second = Math.floor(ms / 1000);
  if (second !== stampSecond) {
    stampText = formatLogTimestamp(new Date(ms));
    stampSecond = second;
  }
  return stampText;
}

/** Replaces every registered secret in `text` by `*****`. Empty or 1-char secrets are ignored. */
export function scrubSecrets(text: string, secrets: ReadonlySet<string>): string {
  let out = text;
  for (const s of secrets) {
    if (s.length > 1 && out.includes(s)) out = out.split(s).join('*****');
  }
  return out;
}

class CoreLogger implements Logger {
  constructor(
    private readonly core: LogCore,
    private readonly system: string,
  ) {}

  get debugEnabled(): boolean {
    return this.core.debug;
  }

  debug(text: string): void {
    if (this.core.debug) this.emit('debug', text);
  }
  info(text: string): void {
    this.emit('info', text);
  }
  warn(text: string): void {
    this.emit('warn', text);
  }
  error(text: string, err?: unknown): void {
    this.emit('error', err === undefined ? text : `${text}\n${describeError(err)}`);
  }
  child(system: string): Logger {
    return new CoreLogger(this.core, system);
  }

  private emit(level: LogLevel, text: string): void {
    if (this.core.sinks.length === 0) return;
    const stamp = this.core.clock ? formatLogTimestamp(this.core.clock()) : currentTimestamp();
    const scrubbed = scrubSecrets(text, this.core.secrets);
    const body = scrubbed.includes('\n') ? scrubbed.replace(/\n/g, '\n\t') : scrubbed;
    const line = `${stamp} [${this.system}] ${body}`;
    for (const sink of this.core.sinks) sink.write(line, level);
  }
}

/** Renders an error for the log: its message chain and stack (never its enumerable fields). */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    let s = err.stack ?? `${err.name}: ${err.message}`;
    if (err.cause !== undefined) s += `\nCaused by: ${describeError(err.cause)}`;
    return s;
  }
  return String(err);
}

/** Creates the root logger (`[-]`, Duo's label for start-up messages). */
export function createLogger(core: LogCore, system = '-'): Logger {
  return new CoreLogger(core, system);
}

/** A sink that keeps lines in memory (tests, start-up buffering). */
export class MemorySink implements LogSink {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  /** The text parts of the lines, without timestamp and system label. */
  texts(): string[] {
    return this.lines.map((l) => l.replace(/^\S+ \[[^\]]*\] /, ''));
  }
}

/** A logger that writes nowhere. */
export const nullLogger: Logger = createLogger({ sinks: [], debug: false, secrets: new Set() });

/** A logger writing to a fresh {@link MemorySink}, for tests. */
export function memoryLogger(debug = false): { log: Logger; sink: MemorySink; core: LogCore } {
  const sink = new MemorySink();
  const core: LogCore = { sinks: [sink], debug, secrets: new Set() };
  return { log: createLogger(core), sink, core };
}
