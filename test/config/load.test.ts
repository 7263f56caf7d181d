import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthproxyError, hasCode } from '../../src/errors.js';
import { ConfigInvalidError, formatIssue } from '../../src/config/issues.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { duoKeyOf } from '../../src/config/sections/registry.js';
import type { AdClientSection, Config, RadiusClientSection, RadiusServerAutoSection } from '../../src/config/types.js';

const KEYS = 'ikey=DIXXXXXXXXXXXXXXXXXX\nskey=abcdefghijABCDEFGHIJ0123456789klmnopqrst\napi_host=api-x.duosecurity.com\n';
const AD = '[ad_client]\nhost=127.0.0.1\nservice_account_username=svc\nservice_account_password=pw\nsearch_dn=DC=x\n';
const server = (name: string, extra = '', ip = '127.0.0.1'): string =>
  `[${name}]\n${KEYS}radius_ip_1=${ip}\nradius_secret_1=s\n${extra}`;

function errorsOf(text: string): string[] {
  try {
    parseConfig(text, 't.cfg');
  } catch (err) {
    if (err instanceof ConfigInvalidError) return err.issues.filter((i) => i.severity === 'error').map(formatIssue);
    throw err;
  }
  return [];
}

describe('good configs load into a typed, frozen Config', () => {
  it('keeps secrets holding ; # = : byte for byte', async () => {
    const path = 'test/fixtures/conf/good-special-secrets.cfg';
    const config = await loadConfig(path);
    const raw = readFileSync(path);
    const [s] = config.servers;
    const client = config.clients[0] as RadiusClientSection;
    expect(s?.clients.map((c) => c.secret)).toEqual([';#=:a;b#c=d:e "quoted" %(interp)s ü', 'key=value:more']);
    expect(client.secret).toBe('up;stream#se=cr:et ; not a comment');
    for (const secret of [client.secret, ...(s?.clients.map((c) => c.secret) ?? [])]) {
      expect(raw.includes(Buffer.from(secret, 'utf8'))).toBe(true);
    }
    expect(s?.clients.map((c) => [c.key, c.network, c.line])).toEqual([['radius_ip_1', '127.0.0.1', 10], ['radius_ip_2', '10.0.0.0/8', 12]]);
    expect(config.warnings).toEqual([]);
  });

  it('applies every default from the tables', () => {
    const c = parseConfig(`${AD}\n${server('radius_server_auto')}`, 't.cfg');
    const s = c.servers[0] as RadiusServerAutoSection;
    expect(s).toMatchObject({
      name: 'radius_server_auto', type: 'radius_server_auto', line: 7, client: 'ad_client', port: 1812, interface: '',
      failmode: 'safe', apiPort: 443, apiTimeout: 0, factors: ['auto'], delimiter: ',', delimitedPasswordLength: 0,
      allowConcat: true, pwCodec: 'utf-8', clientIpAttr: 'default', exemptUsernames: [], passThroughAttrNames: [],
      requireMessageAuthenticator: false, limitProxyState: false, apiVersion: 1, apiSignatureVersion: 5, debug: false,
    });
    expect(c.clients[0]).toMatchObject({ type: 'ad_client', hosts: ['127.0.0.1'], port: 389, transport: 'clear', authType: 'ntlm2', timeout: 10, bindDn: '' });
    expect(c.main).toMatchObject({ line: undefined, logMaxSize: 10485760, logMaxFiles: 6, syslogFacility: 'LOG_USER', httpProxyPort: 80, httpProxyHost: undefined });
  });

  it('uses port 636 by default with transport=ldaps', () => {
    const c = parseConfig(`${AD}transport=LDAPS\nssl_ca_certs_file=ca.pem\n\n${server('radius_server_auto')}`, 't.cfg');
    expect(c.clients[0]).toMatchObject({ transport: 'ldaps', port: 636 });
  });

  it('sorts [ad_client] host_N numerically after host, gaps allowed', () => {
    const c = parseConfig(`${AD}host_10=h10\nhost_2=h2\nhost_07=h7\n\n${server('radius_server_auto')}`, 't.cfg');
    expect((c.clients[0] as AdClientSection).hosts).toEqual(['127.0.0.1', 'h2', 'h7', 'h10']);
  });

  it('reads [radius_client] host/port pairs up to the first gap, default port 1812', () => {
    const text = '[radius_client]\nhost=10.0.0.1\nsecret=x\nhost_1=10.0.0.2\nport_1=1645\nhost_2=10.0.0.3\nhost_4=10.0.0.5\n\n';
    const c = parseConfig(text + server('radius_server_auto'), 't.cfg');
    expect((c.clients[0] as RadiusClientSection).hosts).toEqual([
      { host: '10.0.0.1', port: 1812 }, { host: '10.0.0.2', port: 1645 }, { host: '10.0.0.3', port: 1812 },
    ]);
    expect(c.warnings.map((w) => w.option)).toEqual(['host_4']);
  });

  it('reads exempt_username_N contiguously from 1, case kept', () => {
    const c = parseConfig(`${AD}\n${server('radius_server_auto', 'exempt_username_2=Bob\nexempt_username_1=svc\n')}`, 't.cfg');
    expect(c.servers[0]?.exemptUsernames).toEqual(['svc', 'Bob']);
  });

  it('renames concat_mode to allow_concat and reads delimeter in concat sections', () => {
    const text = `${AD}\n${server('radius_server_auto', 'concat_mode=0\n')}\n${server('radius_server_concat', 'delimeter=#\nport=1813\n')}`;
    const [auto, concat] = parseConfig(text, 't.cfg').servers;
    expect(auto).toMatchObject({ allowConcat: false });
    expect(concat).toMatchObject({ type: 'radius_server_concat', delimiter: '#' });
  });

  it('keeps the factors order (5.0.0)', () => {
    const c = parseConfig(`${AD}\n${server('radius_server_auto', 'factors=passcode, PUSH,phone\n')}`, 't.cfg');
    expect((c.servers[0] as RadiusServerAutoSection).factors).toEqual(['passcode', 'push', 'phone']);
  });

  it('inherits [DEFAULT] keys into every section; own keys win', () => {
    const c = parseConfig(`[DEFAULT]\nfailmode=secure\ndebug=1\n\n${AD}\n${server('radius_server_auto')}\n${server('radius_server_auto2', 'failmode=safe\nport=1813\n')}`, 't.cfg');
    expect(c.servers.map((s) => [s.failmode, s.debug])).toEqual([['secure', true], ['safe', true]]);
  });

  it('treats section names case-insensitively and allows trailing digits', () => {
    const c = parseConfig(`[AD_Client7]\nhost=h\nservice_account_username=u\nservice_account_password=p\nsearch_dn=x\n\n${server('RADIUS_Server_Auto2', 'client=ad_CLIENT7\n')}`, 't.cfg');
    expect(c.servers[0]).toMatchObject({ name: 'radius_server_auto2', header: 'RADIUS_Server_Auto2', client: 'ad_client7' });
    expect(c.clients[0]).toMatchObject({ name: 'ad_client7', header: 'AD_Client7' });
  });

  it('returns a deep-frozen object', () => {
    const c = parseConfig(`${AD}\n${server('radius_server_auto')}`, 't.cfg') as { servers: { clients: { secret: string }[] }[] } & Config;
    expect(Object.isFrozen(c) && Object.isFrozen(c.servers) && Object.isFrozen(c.servers[0]?.clients[0])).toBe(true);
    expect(() => {
      const first = c.servers[0]?.clients[0];
      if (first) first.secret = 'x';
    }).toThrow(TypeError);
  });
});

describe('client resolution (spec §1.6) and [main] push-downs (§1.7)', () => {
  const RC = '[radius_client]\nhost=10.0.0.1\nsecret=x\n';
  it('picks the only client section when nobody names one', () => {
    expect(parseConfig(`${AD}\n${server('radius_server_auto')}`, 't.cfg').servers[0]?.client).toBe('ad_client');
  });

  it('prefers [main] server+client, then the own client, then [main] client', () => {
    const text = `[main]\nclient=AD_CLIENT\nserver=radius_server_auto2\n\n${AD}\n${RC}\n${server('radius_server_auto', 'client=radius_client\n')}\n` +
      `${server('radius_server_auto2', 'client=radius_client\nport=1813\n')}\n${server('radius_server_challenge', 'port=1814\n')}`;
    expect(parseConfig(text, 't.cfg').servers.map((s) => [s.name, s.client])).toEqual([
      ['radius_server_auto', 'radius_client'], ['radius_server_auto2', 'ad_client'], ['radius_server_challenge', 'ad_client'],
    ]);
  });

  it('gives radius_server_duo_only no client, whatever [main] says', () => {
    const c = parseConfig(`[main]\nclient=ad_client\n\n${AD}\n${server('radius_server_duo_only')}`, 't.cfg');
    expect(c.servers[0]).toMatchObject({ type: 'radius_server_duo_only', client: undefined });
  });

  it("reports Duo's errors for unresolvable and unmapped clients", () => {
    expect(errorsOf(`${AD}\n${RC}\n${server('radius_server_auto')}`)).toEqual([
      't.cfg:11: [radius_server_auto] Neither module radius_server_auto or main has "client" value',
    ]);
    expect(errorsOf(`${AD}\n${server('radius_server_auto', 'client=ad_client2\n')}`)).toEqual([
      "t.cfg:13: [radius_server_auto] option 'client': The client name 'ad_client2' could not be mapped to a valid client configuration for the [radius_server_auto] section.",
    ]);
  });

  it('allows pass_through_attr_names only with the client named exactly radius_client', () => {
    const ok = parseConfig(`${RC}\n${server('radius_server_auto', 'pass_through_attr_names=Class, Filter-Id\n')}`, 't.cfg');
    expect(ok.servers[0]?.passThroughAttrNames).toEqual(['Class', 'Filter-Id']);
  });

  it('pushes [main] interface to servers without their own, and [main] debug everywhere', () => {
    const text = `[main]\ninterface=127.0.0.1\ndebug=true\n\n${AD}\n${server('radius_server_auto')}\n${server('radius_server_auto2', 'interface=::1\nport=1813\n')}`;
    const c = parseConfig(text, 't.cfg');
    expect(c.servers.map((s) => s.interface)).toEqual(['127.0.0.1', '::1']);
    expect([c.main.debug, c.clients[0]?.debug, ...c.servers.map((s) => s.debug)]).toEqual([true, true, true, true]);
  });
});

describe('loader errors', () => {
  it("reports an unreadable file with Duo's text", async () => {
    const err: unknown = await loadConfig('test/fixtures/conf/does-not-exist.cfg').catch((e: unknown) => e);
    expect(hasCode(err, 'AP_ERR_CONFIG_UNREADABLE')).toBe(true);
    expect((err as Error).message).toBe('Config file missing or unreadable: test/fixtures/conf/does-not-exist.cfg');
    expect(hasCode(await loadConfig('test/fixtures/conf').catch((e: unknown) => e), 'AP_ERR_CONFIG_UNREADABLE')).toBe(true);
  });

  it('throws one AP_ERR_CONFIG_INVALID whose message lists every error (not warnings)', () => {
    const err = (() => {
      try {
        parseConfig(`[main]\ndebug=yes\nfoo=1\n\n${AD}port=x\n\n${server('radius_server_auto')}`, 't.cfg');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect(hasCode(err, 'AP_ERR_CONFIG_INVALID')).toBe(true);
    expect((err as Error).message.split('\n')).toEqual([
      "t.cfg:2: [main] option 'debug': Invalid value for configuration item: 'debug' must be a boolean value (true or false; 'yes', 'no', 'on' and 'off' are not accepted), got \"yes\"",
      "t.cfg:10: [ad_client] option 'port': Invalid value for configuration item: 'port' must be an integer 1-65535, got \"x\"",
    ]);
    expect((err as ConfigInvalidError).issues.map((i) => [i.severity, i.line, i.section, i.option])).toEqual([
      ['error', 2, 'main', 'debug'], ['warning', 3, 'main', 'foo'], ['error', 10, 'ad_client', 'port'],
    ]);
  });

  it('never echoes a secret value in any message of any fixture', async () => {
    const { readdirSync } = await import('node:fs');
    for (const name of readdirSync('test/fixtures/conf').filter((f) => f.endsWith('.cfg'))) {
      const path = `test/fixtures/conf/${name}`;
      const secrets = [...readFileSync(path, 'utf8').matchAll(/^\s*(?:skey|secret|radius_secret\w*|service_account_password\w*)\s*[=:]\s*(.+)$/gim)]
        .map((m) => m[1]?.trim() ?? '').filter((s) => s.length > 3);
      const out = await loadConfig(path).then((c) => c.warnings, (e: unknown) => (e instanceof ConfigInvalidError ? e.issues : []));
      const text = out.map(formatIssue).join('\n');
      for (const s of secrets) expect(text, `${name} leaks a secret`).not.toContain(s);
    }
  });

  it('maps typed fields back to Duo keys', () => {
    expect(duoKeyOf('radius_server_auto', 'apiHost')).toBe('api_host');
    expect(duoKeyOf('radius_server_auto', 'clients')).toBe('radius_ip_N');
    expect(duoKeyOf('ad_client', 'hosts')).toBe('host');
  });

  it('only ever throws AuthproxyError on random input', () => {
    const line = fc.oneof(
      fc.constantFrom('[main]', '[ad_client]', '[radius_server_auto]', '[radius_client]', '[DEFAULT]', '[x]', 'debug=yes',
        'radius_ip_1=10.0.0.0/8', 'radius_secret_1=a;b', 'client=ad_client', 'host=1.2.3.4', '  port=1', 'port=99999',
        'factors=push,sms', 'secret=x', 'search_dn=x', 'ikey=DI', 'skey=k', 'radius_ip_x=1', 'host_3=h', '[radius_server_duo_only]'),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(fc.property(fc.array(line, { maxLength: 25 }), (lines) => {
      try {
        parseConfig(lines.join('\n'), 'f.cfg');
      } catch (err) {
        expect(err).toBeInstanceOf(AuthproxyError);
        expect(hasCode(err, 'AP_ERR_CONFIG_INVALID')).toBe(true);
      }
    }), { numRuns: 300 });
  });
});
