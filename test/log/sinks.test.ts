/**
 * createLogSinks (spec §7.2–7.3) with real files, a real unix stream socket, a real unix datagram
 * socket (what /dev/log is under rsyslog/journald, made by Python) and a real UDP syslog port:
 * which sinks a config selects, that auth events only go to authevents.log, syslog framing and
 * priorities, the UDP fallback, flushing on close, and secrets scrubbed before any sink.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { MainConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log/logger.js';
import { createLogSinks, fileLoggingEnabled } from '../../src/log/sinks.js';
import { formatRfc3164, syslogBodies, syslogPriority } from '../../src/log/syslog.js';
import type { AuthEvent } from '../../src/proxy/auth-events.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'authproxy-sinks-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** A fresh log dir and the `[main]` of a config with these extra lines. */
async function mainWith(lines: string): Promise<{ main: MainConfig; logDir: string }> {
  const logDir = join(dir, `log${++n}`);
  const cfg = join(dir, `c${n}.cfg`);
  writeFileSync(cfg, `[main]\nlog_dir=${logDir}\n${lines}\n\n[duo_only_client]\n\n[radius_server_auto]\nikey=DIABCDEFGHIJKLMNOPQR\nskey=${'k'.repeat(40)}\nradius_ip_1=127.0.0.1\nradius_secret_1=s3cret-x\nclient=duo_only_client\n`);
  return { main: (await loadConfig(cfg)).main, logDir };
}

const EVENT: AuthEvent = {
  msg: 'Primary authentication successful - Ignoring primary credentials', username: 'jdoe', auth_stage: 'Primary authentication',
  status: 'Allow', client_ip: '10.0.0.9', server_section: 'radius_server_auto', server_section_ikey: 'DIABCDEFGHIJKLMNOPQR', factor: null,
};

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString('utf8')));
  return () => text;
}

describe('which sinks [main] selects (spec §7.3)', () => {
  it('defaults: authproxy.log only; authevents.log only with log_auth_events', async () => {
    const { main, logDir } = await mainWith('');
    expect(fileLoggingEnabled(main)).toBe(true);
    const sinks = createLogSinks(main, '/nonexistent');
    createLogger({ sinks: sinks.main, debug: false, secrets: new Set() }).info('hello file');
    sinks.events.write(EVENT);
    await sinks.close();
    expect(readFileSync(join(logDir, 'authproxy.log'), 'utf8')).toMatch(/^\S+ \[-\] hello file\n$/);
    expect(existsSync(join(logDir, 'authevents.log'))).toBe(false);

    const ev = await mainWith('log_auth_events=true');
    const s2 = createLogSinks(ev.main, '/nonexistent');
    s2.events.write(EVENT);
    await s2.close();
    const line = readFileSync(join(ev.logDir, 'authevents.log'), 'utf8');
    expect(line).toMatch(/^\{"timestamp": "[^"]+Z", "msg": "Primary authentication successful - Ignoring primary credentials", "username": "jdoe", .*"factor": null, "hostname": "[^"]+"\}\n$/);
  });

  it('log_stdout alone turns files off (and with them auth events); events never reach stdout', async () => {
    const { main, logDir } = await mainWith('log_stdout=true\nlog_auth_events=true');
    expect(fileLoggingEnabled(main)).toBe(false);
    const out = new PassThrough();
    const text = collect(out);
    const sinks = createLogSinks(main, '/nonexistent', { stdoutStream: out });
    createLogger({ sinks: sinks.main, debug: false, secrets: new Set() }).warn('to stdout\nsecond line');
    sinks.events.write(EVENT);
    await sinks.close();
    expect(text()).toMatch(/^\S+ \[-\] to stdout\n\tsecond line\n$/);
    expect(existsSync(logDir)).toBe(false);
  });

  it('log_stdout with log_file=true writes both; auth events only to the file', async () => {
    const { main, logDir } = await mainWith('log_stdout=true\nlog_file=true\nlog_auth_events=true');
    const out = new PassThrough();
    const text = collect(out);
    const sinks = createLogSinks(main, '/nonexistent', { stdoutStream: out });
    createLogger({ sinks: sinks.main, debug: false, secrets: new Set() }).info('both');
    sinks.events.write(EVENT);
    await sinks.close();
    expect(text()).toContain('both');
    expect(text()).not.toContain('jdoe');
    expect(readFileSync(join(logDir, 'authproxy.log'), 'utf8')).toContain('both');
    expect(readFileSync(join(logDir, 'authevents.log'), 'utf8')).toContain('"username": "jdoe"');
  });

  it('close() flushes every queued line', async () => {
    const { main, logDir } = await mainWith('');
    const sinks = createLogSinks(main, '/nonexistent');
    const log = createLogger({ sinks: sinks.main, debug: false, secrets: new Set() });
    for (let i = 0; i < 3000; i++) log.info(`line ${i}`);
    await sinks.close();
    const lines = readFileSync(join(logDir, 'authproxy.log'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3000);
    expect(lines.at(-1)).toMatch(/line 2999$/);
  });

  it('registered secrets never reach a sink (file, stdout, syslog)', async () => {
    const path = join(dir, 'secret.sock');
    const { server, messages } = await streamSyslog(path);
    const { main, logDir } = await mainWith('log_stdout=true\nlog_syslog=true\nlog_file=true');
    const out = new PassThrough();
    const text = collect(out);
    const sinks = createLogSinks(main, '/nonexistent', { stdoutStream: out, syslog: { path, udp: null } });
    createLogger({ sinks: sinks.main, debug: true, secrets: new Set(['hunter2-secret']) }).error('bind failed for hunter2-secret', new Error('pw hunter2-secret'));
    await sinks.close();
    await waitUntil(() => messages.length >= 2);
    server.close();
    const all = [readFileSync(join(logDir, 'authproxy.log'), 'utf8'), text(), messages.join('\n')];
    for (const t of all) {
      expect(t).toContain('*****');
      expect(t).not.toContain('hunter2');
    }
  });
});

async function streamSyslog(path: string): Promise<{ server: Server; messages: string[] }> {
  const messages: string[] = [];
  const server = createServer((c) => {
    let buf = '';
    c.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const parts = buf.split('\n');
      buf = parts.pop()!;
      messages.push(...parts);
    });
  });
  await new Promise<void>((r) => server.listen(path, () => r()));
  return { server, messages };
}

async function udpSyslog(): Promise<{ socket: UdpSocket; port: number; messages: string[] }> {
  const messages: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (m) => messages.push(m.toString('utf8')));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { socket, port: socket.address().port, messages };
}

async function waitUntil(ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

describe('syslog sink (log_syslog, ident Authproxy)', () => {
  it('formats RFC 3164 with PRI = facility × 8 + severity, one message per physical line', () => {
    expect(syslogPriority('LOG_USER', 'info')).toBe(14);
    expect(syslogPriority('LOG_LOCAL3', 'error')).toBe(155);
    expect(syslogPriority('LOG_AUTH', 'warn')).toBe(36);
    expect(formatRfc3164(14, new Date(2024, 0, 5, 9, 3, 7), 'Authproxy', 42, '[-] hi')).toBe('<14>Jan  5 09:03:07 Authproxy[42]: [-] hi');
    expect(syslogBodies('2024-01-05T09:03:07+0000 [RadiusClient (UDP)] first\n\tsecond')).toEqual(['[RadiusClient (UDP)] first', '[RadiusClient (UDP)] \tsecond']);
  });

  it('sends to a unix stream socket; syslog alone turns files off', async () => {
    const path = join(dir, 'stream.sock');
    const { server, messages } = await streamSyslog(path);
    const { main, logDir } = await mainWith('log_syslog=true\nsyslog_facility=LOG_LOCAL3');
    const sinks = createLogSinks(main, '/nonexistent', { syslog: { path, udp: null } });
    const log = createLogger({ sinks: sinks.main, debug: false, secrets: new Set() });
    log.info('queued before connect');
    log.error('boom\ndetail');
    await waitUntil(() => messages.length >= 3);
    await sinks.close();
    server.close();
    expect(messages[0]).toMatch(new RegExp(`^<158>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d Authproxy\\[${process.pid}\\]: \\[-\\] queued before connect$`));
    expect(messages[1]).toMatch(/^<155>.* Authproxy\[\d+\]: \[-\] boom$/);
    expect(messages[2]).toMatch(/^<155>.* Authproxy\[\d+\]: \[-\] \tdetail$/);
    expect(existsSync(logDir)).toBe(false);
  });

  it('a datagram socket at the path (like /dev/log) refuses streams: falls back to UDP', async () => {
    const path = join(dir, 'dgram.sock');
    const py: ChildProcess = spawn('/usr/bin/python3', ['-c', `import socket,time\ns=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\ns.bind(${JSON.stringify(path)})\nprint('ready', flush=True)\ntime.sleep(30)`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((r) => py.stdout!.once('data', () => r()));
      const udp = await udpSyslog();
      const { main } = await mainWith('log_syslog=true');
      const sinks = createLogSinks(main, '/nonexistent', { syslog: { path, udp: { host: '127.0.0.1', port: udp.port } } });
      createLogger({ sinks: sinks.main, debug: false, secrets: new Set() }).info('over udp');
      await waitUntil(() => udp.messages.length >= 1);
      await sinks.close();
      udp.socket.close();
      expect(udp.messages).toEqual([expect.stringMatching(/^<14>.* Authproxy\[\d+\]: \[-\] over udp$/)]);
    } finally {
      py.kill();
    }
  });

  it('no syslog at all: one warning in the other sinks, the proxy goes on', async () => {
    const { main, logDir } = await mainWith('log_syslog=true\nlog_file=true');
    const sinks = createLogSinks(main, '/nonexistent', { syslog: { path: join(dir, 'missing.sock'), udp: null } });
    const log = createLogger({ sinks: sinks.main, debug: false, secrets: new Set() });
    log.info('one');
    await waitUntil(() => readFileSync(join(logDir, 'authproxy.log'), 'utf8').includes('syslog'));
    log.info('two');
    await sinks.close();
    const text = readFileSync(join(logDir, 'authproxy.log'), 'utf8');
    expect(text.match(/syslog: cannot use .*missing\.sock \(ENOENT\)/g)).toHaveLength(1);
    expect(text).toContain('two');
  });
});
