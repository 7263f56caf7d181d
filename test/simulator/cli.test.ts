/**
 * `authproxyctl simulator` in process: the banner, `--write-config` rendering conf/demo.cfg into a
 * config the proxy's loader accepts (owner-only, since it holds the skey), and a clear failure for
 * a port in use.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/main.js';
import { runSimulatorCommand, type SimulatorCommandOptions } from '../../src/cli/simulator.js';
import { loadConfig } from '../../src/config/load.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server.js';

let dir: string;
const installDir = new URL('../..', import.meta.url).pathname;

function ctx(): CliContext & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { installDir, stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), setExitCode: () => undefined };
}

function options(o: Partial<SimulatorCommandOptions> = {}): SimulatorCommandOptions {
  return { port: 0, webPort: 0, host: '127.0.0.1', stateDir: join(dir, 'state'), radiusPort: 18120, pushTimeoutSec: 60, template: join(installDir, 'conf', 'demo.cfg'), ...o };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('authproxyctl simulator', () => {
  it('writes a loadable config for itself and prints where everything is', async () => {
    const c = ctx();
    const out = join(dir, 'demo', 'authproxy.cfg');
    let release!: () => void;
    const stop = new Promise<void>((r) => (release = r));
    const running = runSimulatorCommand(options({ writeConfig: out }), c, stop);
    await expect.poll(() => c.stdout.includes('Press Ctrl-C to stop.')).toBe(true);
    expect(statSync(out).mode & 0o077).toBe(0);
    const config = await loadConfig(out);
    const integration = JSON.parse(readFileSync(join(dir, 'state', 'integration.json'), 'utf8')) as { ikey: string; skey: string };
    const server = config.servers[0];
    expect(server).toMatchObject({ type: 'radius_server_auto', client: 'duo_only_client', ikey: integration.ikey, skey: integration.skey, apiHost: '127.0.0.1', port: 18120, interface: '127.0.0.1', failmode: 'safe' });
    expect(config.main).toMatchObject({ httpCaCertsFile: join(dir, 'state', 'ca.crt'), logDir: join(dir, 'demo', 'log'), logStdout: true });
    expect(c.stdout).toContain(`  ikey:       ${integration.ikey}`);
    expect(c.stdout.find((l) => l.startsWith('  Web page:   '))).toMatch(/^ {2}Web page: {3}http:\/\/127\.0\.0\.1:\d+\/ /);
    expect(c.stdout.join('\n')).not.toContain(integration.skey);
    release();
    expect(await running).toBe(0);
    expect(c.stdout.at(-1)).toBe('Stopping the simulator');
  });

  it('fails with exit 1 and names the port when it is in use', async () => {
    const other: RunningSimulator = await startSimulator({ stateDir: join(dir, 'state') });
    try {
      const c = ctx();
      expect(await runSimulatorCommand(options({ port: other.apiPort }), c, Promise.resolve())).toBe(1);
      expect(c.stderr).toEqual([`authproxyctl simulator: the simulator's Duo API port ${other.apiPort} on 127.0.0.1 is in use`]);
    } finally {
      await other.close();
    }
  });
});
