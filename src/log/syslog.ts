/**
 * `log_syslog=true` (spec §1.8, §7.3): every main-log line goes to the local syslog daemon with
 * ident `Authproxy` and the configured `syslog_facility`. Auth events never come here.
 *
 * Transport. Node has no AF_UNIX datagram sockets in core, and `/dev/log` is a datagram socket
 * under rsyslog's imuxsock and systemd-journald. So, in order:
 * 1. a **unix stream** connection to the socket path (`/dev/log` by default) — accepted by
 *    syslog-ng's `unix-stream()` source and by any daemon listening on a stream socket; each
 *    message is RFC 3164 text ended by a newline (RFC 6587 §3.4.2 non-transparent framing);
 * 2. if that path refuses streams (EPROTOTYPE on a datagram socket), is missing or refuses the
 *    connection: **UDP to 127.0.0.1:514** (RFC 5426), one message per datagram, from a connected
 *    socket so that an ICMP "port unreachable" is noticed;
 * 3. if both fail, `onError` is told once (the proxy logs it in its other sinks) and messages
 *    are dropped — syslog trouble never stops or slows the proxy.
 * Under systemd the simplest setup is `log_stdout=true` with `authproxyctl run`: the journal
 * collects stdout (see conf/authproxy.service).
 *
 * Message form, as libc `syslog(3)`/Twisted's syslog observer produce it: the logger's own
 * timestamp is removed (syslog adds one), each physical line is its own message
 * `[<system>] <text>`, continuation lines are `[<system>] \t<text>`. Severity: debug → 7,
 * info → 6, warn → 4, error → 3 (RFC 5424 §6.2.1 table 2).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import type { LogLevel, LogSink } from './logger.js';

/** RFC 5424 §6.2.1 table 1 facility codes, under the names `syslog_facility` accepts. */
export const SYSLOG_FACILITY_CODES: Readonly<Record<string, number>> = {
  LOG_KERN: 0, LOG_USER: 1, LOG_MAIL: 2, LOG_DAEMON: 3, LOG_AUTH: 4, LOG_SYSLOG: 5, LOG_LPR: 6,
  LOG_NEWS: 7, LOG_UUCP: 8, LOG_CRON: 9, LOG_LOCAL0: 16, LOG_LOCAL1: 17, LOG_LOCAL2: 18,
  LOG_LOCAL3: 19, LOG_LOCAL4: 20, LOG_LOCAL5: 21, LOG_LOCAL6: 22, LOG_LOCAL7: 23,
};

const SEVERITY: Readonly<Record<LogLevel, number>> = { debug: 7, info: 6, warn: 4, error: 3 };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MAX_QUEUE = 1000;
const RECONNECT_MS = 1000;
const CLOSE_WAIT_MS = 1000;
const MAX_STREAM_BUFFER = 1 << 20;

/** Where and how to send. */
export interface SyslogOptions {
  /** `syslog_facility` name (default `LOG_USER`). */
  readonly facility?: string;
  /** Default `Authproxy` (spec §1.8). */
  readonly ident?: string;
  /** Local socket path (default `/dev/log`). */
  readonly path?: string;
  /** UDP fallback (default 127.0.0.1:514); `null` disables it. */
  readonly udp?: { readonly host: string; readonly port: number } | null;
  /** `rfc3164` (default, what libc sends locally) or `rfc5424`. */
  readonly format?: 'rfc3164' | 'rfc5424';
  /** Told once when syslog cannot be reached. */
  readonly onError?: (message: string) => void;
}

/** PRI = facility × 8 + severity (RFC 5424 §6.2.1). Unknown facility names count as LOG_USER. */
export function syslogPriority(facility: string, level: LogLevel): number {
  return (SYSLOG_FACILITY_CODES[facility] ?? 1) * 8 + SEVERITY[level];
}

/** RFC 3164 §4.1: `<PRI>Mmm dd hh:mm:ss ident[pid]: msg` (local time, day space-padded; no host, as libc). */
export function formatRfc3164(pri: number, at: Date, ident: string, pid: number, msg: string): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${MONTHS[at.getMonth()]} ${String(at.getDate()).padStart(2, ' ')} ${p(at.getHours())}:${p(at.getMinutes())}:${p(at.getSeconds())}`;
  return `<${pri}>${stamp} ${ident}[${pid}]: ${msg}`;
}

/** RFC 5424 §6: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID - - MSG` (UTC timestamp, no structured data). */
export function formatRfc5424(pri: number, at: Date, host: string, ident: string, pid: number, msg: string): string {
  return `<${pri}>1 ${at.toISOString()} ${host || '-'} ${ident} ${pid} - - ${msg}`;
}

/** Splits a finished main-log line into syslog message bodies (see the module comment). */
export function syslogBodies(line: string): string[] {
  const m = /^\S+ (\[[^\]]*\]) /.exec(line);
  const system = m ? m[1]! : '[-]';
  const text = m ? line.slice(m[0].length) : line;
  return text.split('\n').map((part, i) => (i === 0 ? `${system} ${part}` : `${system} \t${part.replace(/^\t/, '')}`));
}

type State = 'connecting' | 'stream' | 'udp' | 'failed';

/** A main-log sink sending to syslog (see the module comment). */
export class SyslogSink implements LogSink {
  private state: State = 'connecting';
  private queue: string[] = [];
  private stream: Socket | undefined;
  private udp: UdpSocket | undefined;
  private closed = false;
  private reported = false;
  private readonly host = hostname();
  private readonly waiters: (() => void)[] = [];
  private readonly udpSending = new Set<Promise<void>>();

  constructor(private readonly opts: SyslogOptions = {}) {
    this.connectStream();
  }

  /** The transport in use (for tests and the connectivity tool). */
  get transport(): State {
    return this.state;
  }

  /** Formats and sends (or queues while connecting). */
  write(line: string, level: LogLevel): void {
    if (this.closed || this.state === 'failed') return;
    const pri = syslogPriority(this.opts.facility ?? 'LOG_USER', level);
    const now = new Date();
    for (const body of syslogBodies(line)) this.send(this.format(pri, now, body));
  }

  /** Sends what is queued (when connected) and closes the socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.state === 'connecting' && this.queue.length > 0) {
      // Still finding a transport: give it a moment so queued lines are not lost on a clean stop.
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
    }
    this.closed = true;
    const stream = this.stream;
    const udp = this.udp;
    if (stream && this.state === 'stream') await new Promise<void>((r) => stream.end(() => r()));
    else stream?.destroy();
    await Promise.allSettled([...this.udpSending]);
    if (udp) await new Promise<void>((r) => udp.close(() => r()));
  }

  private setState(state: State): void {
    this.state = state;
    if (state !== 'connecting') for (const w of this.waiters.splice(0)) w();
  }

  private format(pri: number, at: Date, body: string): string {
    const ident = this.opts.ident ?? 'Authproxy';
    return this.opts.format === 'rfc5424' ? formatRfc5424(pri, at, this.host, ident, process.pid, body) : formatRfc3164(pri, at, ident, process.pid, body);
  }

  private send(message: string): void {
    if (this.state === 'stream' && this.stream) {
      // A stalled daemon must not make us buffer without bound: beyond 1 MiB, drop.
      if (this.stream.writableLength < MAX_STREAM_BUFFER) this.stream.write(`${message}\n`);
    }
    else if (this.state === 'udp' && this.udp) this.sendUdp(this.udp, message);
    else if (this.queue.length < MAX_QUEUE) this.queue.push(message);
  }

  /** A datagram per message; close() waits for these (a dgram close drops unsent ones). */
  private sendUdp(udp: UdpSocket, message: string): void {
    const sent = new Promise<void>((resolve) => {
      udp.send(Buffer.from(message, 'utf8'), (err) => {
        if (err) this.udpFailed(err);
        this.udpSending.delete(sent);
        resolve();
      });
    });
    this.udpSending.add(sent);
  }

  private drain(): void {
    const queued = this.queue;
    this.queue = [];
    for (const m of queued) this.send(m);
  }

  private connectStream(): void {
    const socket = connect({ path: this.opts.path ?? '/dev/log' });
    this.stream = socket;
    socket.once('connect', () => {
      this.setState('stream');
      this.drain();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (this.state === 'connecting') this.startUdp(err);
    });
    socket.on('close', () => {
      if (this.state !== 'stream' || this.closed) return;
      // The daemon went away (restart): queue and reconnect shortly.
      this.setState('connecting');
      setTimeout(() => !this.closed && this.connectStream(), RECONNECT_MS).unref();
    });
  }

  private startUdp(streamErr: NodeJS.ErrnoException): void {
    this.stream?.destroy();
    this.stream = undefined;
    const target = this.opts.udp === undefined ? { host: '127.0.0.1', port: 514 } : this.opts.udp;
    if (this.closed) return;
    if (target === null) return this.fail(`syslog: cannot use ${this.opts.path ?? '/dev/log'} (${streamErr.code ?? streamErr.message})`);
    const udp = createSocket('udp4');
    this.udp = udp;
    udp.on('error', (err) => this.udpFailed(err));
    udp.connect(target.port, target.host, () => {
      this.setState('udp');
      this.drain();
    });
  }

  /** Reported once; sending goes on, so a syslog daemon started later still gets messages. */
  private udpFailed(err: Error): void {
    this.report(`syslog: cannot use ${this.opts.path ?? '/dev/log'} as a stream socket and UDP syslog failed (${(err as NodeJS.ErrnoException).code ?? err.message}); syslog messages are being dropped`);
  }

  private fail(message: string): void {
    this.setState('failed');
    this.queue = [];
    this.report(message);
  }

  private report(message: string): void {
    if (this.reported) return;
    this.reported = true;
    this.opts.onError?.(message);
  }
}
