/**
 * `authproxyctl check` as a real process (after a real build), plus the CLI wiring in-process.
 * Lives under test/config because the command is the config validator's front end.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfigPath } from '../../src/cli/check.js';
import { EXIT_CONFIG, EXIT_NOINPUT, EXIT_OK, EXIT_UNKNOWN_COMMAND, EXIT_USAGE } from '../../src/cli/exit-codes.js';
import { installDirOf, main, type CliContext } from '../../src/cli/main.js';

const ROOT = resolve('.');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function ctl(args: string[], cwd = ROOT): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [resolve(ROOT, 'bin/authproxyctl'), ...args], { cwd }, (err, stdout, stderr) => {
      const code = err && typeof err.code === 'number' ? err.code : 0;
      done({ code, stdout, stderr });
    });
  });
}

const golden = (name: string): string => readFileSync(`test/fixtures/conf/${name}.errors`, 'utf8');

describe('authproxyctl check (real process)', () => {
  beforeAll(() => {
    // The whole project is built, as in CI; other modules' type errors must not hide ours.
    const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    const ours = tsc.stdout.split('\n').filter((l) => /^src\/(config\/|cli\/(check|main|exit-codes)\.ts)/.test(l));
    expect(ours).toEqual([]);
    expect(existsSync('dist/src/cli/main.js')).toBe(true);
  });

  it('prints one OK line and exits 0 for a good file', async () => {
    const r = await ctl(['check', '--config', 'conf/examples/ad-radius-server-auto.cfg']);
    expect(r).toEqual({ code: EXIT_OK, stdout: 'OK: conf/examples/ad-radius-server-auto.cfg (3 sections)\n', stderr: '' });
  });

  it('prints warnings on stderr and still exits 0', async () => {
    const r = await ctl(['check', '--config', 'test/fixtures/conf/warn-unknown-key.cfg']);
    expect(r).toEqual({ code: EXIT_OK, stdout: 'OK: test/fixtures/conf/warn-unknown-key.cfg (2 sections)\n', stderr: golden('warn-unknown-key') });
  });

  it('prints every error on stderr, one per line, and exits 78', async () => {
    const r = await ctl(['check', '--config', 'test/fixtures/conf/bad-int-values.cfg']);
    expect(r).toEqual({ code: EXIT_CONFIG, stdout: '', stderr: golden('bad-int-values') });
    expect(r.stderr.trim().split('\n').length).toBeGreaterThan(10);
  });

  it('reports spec §13 rows 18 and 19 verbatim', async () => {
    const debug = await ctl(['check', '--config', 'test/fixtures/conf/bad-debug-yes.cfg']);
    expect(debug.code).toBe(EXIT_CONFIG);
    expect(debug.stderr).toContain("Invalid value for configuration item: 'debug' must be a boolean value");
    const module = await ctl(['check', '--config', 'test/fixtures/conf/bad-invalid-module.cfg']);
    expect([module.code, module.stderr]).toEqual([EXIT_CONFIG, "test/fixtures/conf/bad-invalid-module.cfg:15: [ad_client_2] Invalid module: 'ad_client_2'\n"]);
  });

  it('reports a missing file with Duo\'s text', async () => {
    expect(await ctl(['check', '--config', 'nope.cfg'])).toEqual({
      code: EXIT_NOINPUT, stdout: '', stderr: 'Config file missing or unreadable: nope.cfg\n',
    });
  });

  it('defaults to conf/authproxy.cfg under the install directory, whatever the cwd', async () => {
    const r = await ctl(['check'], '/');
    expect(r.stdout + r.stderr).toContain(`${ROOT}/conf/authproxy.cfg`);
  });

  it('exits 3 for an unknown command', async () => {
    const r = await ctl(['frobnicate']);
    expect(r.code).toBe(EXIT_UNKNOWN_COMMAND);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('CLI wiring (in-process)', () => {
  function capture(): CliContext & { lines: { out: string[]; err: string[] }; code: () => number } {
    const lines = { out: [] as string[], err: [] as string[] };
    let code = -1;
    return {
      installDir: ROOT, lines, code: () => code,
      out: (l) => void lines.out.push(l), err: (l) => void lines.err.push(l), setExitCode: (c) => void (code = c),
    };
  }

  it('finds the install directory from the bin/ script', () => {
    expect(installDirOf(resolve('bin/authproxyctl'))).toBe(ROOT);
    expect(defaultConfigPath('/opt/duoauthproxy')).toBe('/opt/duoauthproxy/conf/authproxy.cfg');
  });

  it('maps usage errors to exit 2 and --help to 0', async () => {
    const none = capture();
    await main(['node', 'authproxyctl'], none);
    expect(none.code()).toBe(EXIT_USAGE);
    expect(none.lines.err.join('\n')).toContain('check');
    const badOpt = capture();
    await main(['node', 'authproxyctl', 'check', '--nope'], badOpt);
    expect(badOpt.code()).toBe(EXIT_USAGE);
    const help = capture();
    await main(['node', 'authproxyctl', 'check', '--help'], help);
    expect([help.code(), help.lines.out.join('\n')]).toEqual([EXIT_OK, expect.stringContaining('--config <file>')]);
  });

  it('runs check in-process with the same output', async () => {
    const c = capture();
    await main(['node', 'authproxyctl', 'check', '--config', 'test/fixtures/conf/bad-radius-ip-no-secret.cfg'], c);
    expect(c.code()).toBe(EXIT_CONFIG);
    expect(c.lines.err.map((l) => `${l}\n`).join('')).toBe(golden('bad-radius-ip-no-secret'));
  });
});
