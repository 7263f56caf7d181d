/**
 * A bug inside the running proxy (an unhandled rejection, an uncaught exception) must not leave
 * it running half-broken: it is logged, the proxy stops, the pidfile goes, the process exits 70.
 * A real process runs the compiled runner and triggers the fault once `Init Complete` is logged.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDuoApi, type FakeDuoApi } from '../fakes/duo-api/index.js';
import { freeUdpPort } from '../harness/common.js';
import { buildOnce, makeInstall, type TestInstall } from './install.js';
import { proxyConfig } from './proxy-config.js';

let duo: FakeDuoApi;
let install: TestInstall;
let build: string;

beforeAll(async () => {
  build = await buildOnce();
  duo = await startFakeDuoApi();
  install = makeInstall(build);
});

afterAll(async () => {
  await install?.cleanup();
  await duo?.close();
});

/** Runs the proxy in a node process that injects `fault` after Init Complete. */
async function runWithFault(fault: string): Promise<{ code: number | null; stderr: string; port: number }> {
  const port = await freeUdpPort();
  install.writeConfig(proxyConfig({ duo, port }));
  const script = join(install.dir, 'fault.mjs');
  const log = join(install.logDir, 'authproxy.log');
  writeFileSync(script, `
import { existsSync, readFileSync } from 'node:fs';
import { runInProcess } from ${JSON.stringify(join(build, 'dist', 'src', 'cli', 'run-foreground.js'))};
const ctx = { installDir: ${JSON.stringify(install.dir)}, out: (l) => console.log(l), err: (l) => console.error(l), setExitCode: (c) => { process.exitCode = c; } };
const t = setInterval(() => {
  if (existsSync(${JSON.stringify(log)}) && readFileSync(${JSON.stringify(log)}, 'utf8').includes('Init Complete')) { clearInterval(t); ${fault} }
}, 20);
process.exitCode = await runInProcess({ config: ${JSON.stringify(install.configPath)}, pidfile: ${JSON.stringify(install.pidfile)}, graceSec: 5 }, ctx);
`);
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  return { code, stderr, port };
}

async function portFree(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  const ok = await new Promise<boolean>((r) => {
    s.once('error', () => r(false));
    s.bind(port, '127.0.0.1', () => r(true));
  });
  s.close();
  return ok;
}

describe('fatal errors in the running proxy', () => {
  it('an unhandled rejection is logged and the process exits 70 with its port released and pidfile gone', async () => {
    const r = await runWithFault("Promise.reject(new Error('boom-rejection'));");
    expect(r.code).toBe(70);
    expect(r.stderr).toContain('duoauthproxy stopped: Unhandled promise rejection: boom-rejection');
    const log = readFileSync(join(install.logDir, 'authproxy.log'), 'utf8');
    expect(log).toMatch(/\[-\] Unhandled promise rejection: the proxy is stopping\n\tError: boom-rejection/);
    expect(log.trimEnd().split('\n').at(-1)).toMatch(/Proxy stopped$/);
    expect(install.pid()).toBeUndefined();
    expect(await portFree(r.port)).toBe(true);
  });

  it('an uncaught exception likewise', async () => {
    const r = await runWithFault("setTimeout(() => { throw new Error('boom-exception'); }, 0);");
    expect(r.code).toBe(70);
    expect(r.stderr).toContain('duoauthproxy stopped: Unhandled exception: boom-exception');
    expect(readFileSync(join(install.logDir, 'authproxy.log'), 'utf8')).toContain('Unhandled exception: the proxy is stopping');
    expect(install.pid()).toBeUndefined();
  });
});
