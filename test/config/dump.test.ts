import { describe, expect, it } from 'vitest';
import { configSecrets, dumpConfig, isSecretKey } from '../../src/config/dump.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { memoryLogger } from '../../src/log/logger.js';

const EXAMPLES = ['conf/examples/ad-radius-server-auto.cfg', 'conf/examples/radius-radius-server-auto.cfg'];

describe('seed example configs', () => {
  it.each(EXAMPLES)('%s loads without a warning and its dump masks every secret', async (path) => {
    const config = await loadConfig(path);
    expect(config.warnings).toEqual([]);
    const secrets = configSecrets(config);
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    const dump = dumpConfig(config);
    expect(dump).toHaveLength(1 + config.clients.length + config.servers.length);
    const text = dump.join('\n');
    for (const s of secrets) expect(text).not.toContain(s);
    expect(text).toContain("'skey': '*****[40]'");
    expect(text).toContain("'radius_secret_1': '*****[19]'");
  });

  it('gives the AD example its typed shape', async () => {
    const c = await loadConfig(EXAMPLES[0] ?? '');
    expect(c.clients[0]).toMatchObject({ type: 'ad_client', hosts: ['127.0.0.1', '127.0.0.2'], authType: 'plain', serviceAccountPassword: 'Service-Acc0unt;#=:pass' });
    expect(c.servers[0]).toMatchObject({ type: 'radius_server_auto', client: 'ad_client', ikey: 'DIXXXXXXXXXXXXXXXXXX', apiHost: 'api-xxxxxxxx.duosecurity.com' });
    expect(configSecrets(c).sort()).toEqual(['Service-Acc0unt;#=:pass', 'abcdefghijABCDEFGHIJ0123456789klmnopqrst', 'nas-Shared;secret#1'].sort());
  });

  it('gives the RADIUS example its typed shape', async () => {
    const c = await loadConfig(EXAMPLES[1] ?? '');
    expect(c.clients[0]).toMatchObject({
      type: 'radius_client', hosts: [{ host: '127.0.0.1', port: 18120 }, { host: '127.0.0.2', port: 18120 }],
      passThroughAttrNames: ['Class', 'Filter-Id'], retries: 3, retryWait: 2,
    });
    expect(c.servers[0]).toMatchObject({ client: 'radius_client', factors: ['push', 'phone'], exemptUsernames: ['svc-monitor'] });
    expect(c.servers[0]?.clients.map((e) => e.network)).toEqual(['127.0.0.1', '10.10.0.0/16']);
  });
});

describe('dumpConfig', () => {
  const KEYS = 'ikey=DIXXXXXXXXXXXXXXXXXX\nskey=abcdefghijABCDEFGHIJ0123456789klmnopqrst\napi_host=h\n';
  const srv = (n: string, port: number, extra = ''): string => `[${n}]\n${KEYS}radius_ip_1=10.0.0.${port - 1800}\nradius_secret_1=nas'secret\nport=${port}\n${extra}\n`;
  const text = '[main]\nhttp_proxy_host=proxy\n\n[ad_client]\nhost=h\nservice_account_username=u\nservice_account_password=Sa-pw\nsearch_dn=x\n\n' +
    '[radius_client]\nhost=1.2.3.4\nsecret=upstream\n\n[duo_only_client]\n\n' +
    srv('radius_server_auto', 1812, 'client=ad_client\nexempt_username_1=svc') + srv('radius_server_challenge', 1813, 'client=radius_client') +
    srv('radius_server_concat', 1814, 'client=duo_only_client') + srv('radius_server_duo_only', 1815);
  const config = parseConfig(text, 't.cfg');
  const dump = dumpConfig(config);

  it("uses Duo's module headers, one line per section, [main] first", () => {
    expect(dump.map((l) => l.slice(0, l.indexOf(' {')))).toEqual([
      'Main Configuration: [main]',
      'AD Client Module Configuration: [ad_client]',
      'RADIUS Client Module Configuration: [radius_client]',
      'Duo Only Client Module Configuration: [duo_only_client]',
      'RADIUS Automatic Factor Server Module Configuration: [radius_server_auto]',
      'RADIUS Challenge Server Module Configuration: [radius_server_challenge]',
      'RADIUS Concat Server Module Configuration: [radius_server_concat]',
      'RADIUS Duo-Only Server Module Configuration: [radius_server_duo_only]',
    ]);
    for (const l of dump) expect(l).not.toContain('\n');
  });

  it('shows effective values (defaults included) with sorted keys, Python style', () => {
    expect(dump[0]).toContain("'debug': False, 'fips_mode': False, 'http_ca_certs_file': 'conf/ca-bundle.crt', 'http_proxy_host': 'proxy', 'http_proxy_port': 80");
    expect(dump[4]).toContain("'api_port': 443, 'api_signature_version': 5, 'api_timeout': 0, 'api_version': 1, 'client': 'ad_client'");
    expect(dump[4]).toContain("'exempt_username_1': 'svc'");
    expect(dump[4]).toContain("'factors': ['auto']");
    expect(dump[4]).toContain("'radius_ip_1': '10.0.0.12', 'radius_secret_1': '*****[10]'");
    expect(dump[2]).toContain("'hosts': ['1.2.3.4:1812']");
    expect(dump[2]).toContain("'secret': '*****[8]'");
    expect(dump[1]).toContain("'service_account_password': '*****[5]'");
    const keys = [...(dump[4] ?? '').matchAll(/'([a-z0-9_]+)': /g)].map((m) => m[1] ?? '');
    expect(keys).toEqual([...keys].sort());
  });

  it('never contains a secret, and the logger scrub list covers all of them', () => {
    const secrets = configSecrets(config);
    expect(secrets.sort()).toEqual(["Sa-pw", 'abcdefghijABCDEFGHIJ0123456789klmnopqrst', "nas'secret", 'upstream'].sort());
    const { log, sink, core } = memoryLogger();
    for (const s of secrets) core.secrets.add(s);
    for (const line of dump) log.info(line);
    for (const s of secrets) expect(sink.lines.join('\n')).not.toContain(s);
    expect(sink.lines.join('\n')).not.toContain('*****\''); // nothing needed scrubbing after masking
  });

  it('recognises every secret key, protected forms included', () => {
    for (const k of ['skey', 'skey_protected', 'secret', 'secret_protected', 'radius_secret_1', 'radius_secret_protected_12',
      'service_account_password', 'service_account_password_protected']) expect(isSecretKey(k)).toBe(true);
    for (const k of ['ikey', 'radius_ip_1', 'service_account_username', 'secrets']) expect(isSecretKey(k)).toBe(false);
  });
});
