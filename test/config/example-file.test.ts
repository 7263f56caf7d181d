import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exampleKey, renderExampleConfig } from '../../src/config/example.js';
import { SECTION_SPECS } from '../../src/config/sections/registry.js';

const FILE = 'conf/authproxy.cfg.example';
const text = readFileSync(FILE, 'utf8');

/** section → keys as they appear (commented out) in the example file. */
function keysInFile(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const line of text.split('\n')) {
    const header = /^;\[([a-z_]+)\]$/.exec(line);
    if (header?.[1]) out.set((section = header[1]), []);
    const opt = /^;([a-z0-9_]+)=/.exec(line);
    if (opt?.[1]) out.get(section)?.push(opt[1]);
  }
  return out;
}

describe(FILE, () => {
  it('is exactly what the option tables render (regenerate it after changing a table)', () => {
    expect(text).toBe(renderExampleConfig());
  });

  it('lists every option of every table, and nothing else', () => {
    const inFile = keysInFile();
    expect([...inFile.keys()]).toEqual(Object.keys(SECTION_SPECS));
    for (const [type, spec] of Object.entries(SECTION_SPECS)) {
      expect(inFile.get(type), type).toEqual(spec.options.map(exampleKey));
    }
  });

  it('explains each option on the line above it, with its default value', () => {
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (/^;[a-z0-9_]+=/.test(line)) expect(lines[i - 1] ?? '', line).toMatch(/^; \S.{10,}/);
    });
    expect(text).toContain(';port=1812\n');
    expect(text).toContain(';failmode=safe\n');
    expect(text).toContain(';require_message_authenticator=false\n');
    expect(text).toContain(';api_version=1\n');
  });

  it('loads as a valid config once its server section is filled in', async () => {
    const { parseConfig } = await import('../../src/config/load.js');
    const body = text.split('\n').filter((l) => !l.startsWith(';')).join('\n');
    expect(body.trim()).toBe(''); // everything is commented out
    const uncommented = text
      .split(/\n(?=; -{10})/)
      .filter((block) => block.includes(';[main]') || block.includes(';[ad_client]') || block.includes(';[radius_server_auto]'))
      .join('\n')
      .replace(/^;(?=[[a-z])/gm, '')
      .replace(/^(service_account_password|skey|radius_secret_1)=$/gm, (_m, k: string) =>
        k === 'skey' ? 'skey=abcdefghijABCDEFGHIJ0123456789klmnopqrst' : `${k}=x`)
      .replace(/^(http_proxy_host|server|ssl_ca_certs_file)=.*$/gm, '')
      .replace(/^client=ad_client$/gm, '');
    const config = parseConfig(uncommented, 'example.cfg');
    expect(config.servers[0]).toMatchObject({ type: 'radius_server_auto', client: 'ad_client' });
  });
});
