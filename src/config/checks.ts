/**
 * Rules that look at more than one option. Start-up rules of Duo's proxy are errors (the
 * pass-through rule, spec §10.9); rules of Duo's validator are warnings, because Duo starts anyway
 * (ikey/skey format, TLS without CA, plain bind without bind_dn…). Secret values are never echoed.
 */
import type { SectionReader } from './section-reader.js';
import type { AdClientSection, MainConfig, RadiusClientEntry, ServerSection } from './types.js';
import { describeGot } from './values.js';

/** `[main]` rules. */
export function checkMain(r: SectionReader, main: MainConfig, sectionNames: readonly string[]): void {
  if (r.has('http_proxy_port') && main.httpProxyHost === undefined) {
    r.issues.warn(r.lineOf('http_proxy_port'), 'http_proxy_port', 'http_proxy_host must be provided when specifying http_proxy_port');
  }
  if (main.fipsMode) {
    r.issues.warn(r.lineOf('fips_mode'), 'fips_mode', 'FIPS mode is not supported by this proxy; the option is ignored');
  }
  if (main.server !== undefined && !sectionNames.includes(main.server)) {
    r.issues.warn(r.lineOf('server'), 'server', `server in section [main] has no effect when no section [${main.server}] exists`);
  }
  if (main.server !== undefined && main.client === undefined) {
    r.issues.warn(r.lineOf('server'), 'server', 'server in section [main] has no effect when client is not set in [main]');
  }
}

/** `[ad_client]` rules from Duo's validator. */
export function checkAdClient(r: SectionReader, ad: AdClientSection): void {
  if (ad.transport !== 'clear' && ad.sslVerifyHostname && ad.sslCaCertsFile === undefined) {
    r.issues.warn(r.lineOf('transport'), 'ssl_ca_certs_file', `ssl_ca_certs_file is required for transport type ${ad.transport}`);
  }
  if (ad.authType === 'plain' && ad.bindDn === '') {
    r.issues.warn(r.lineOf('auth_type'), 'bind_dn', 'bind_dn is required for auth_type plain');
  }
}

/** Server-section rules; `pass_through_attr_names` needs the client named exactly `radius_client`. */
export function checkServer(r: SectionReader, s: ServerSection): void {
  checkDuoKeys(r, s);
  if (s.passThroughAttrNames.length > 0 && s.client !== 'radius_client') {
    const why = s.client === undefined ? 'the section has no client'
      : `the section uses client '${s.client}'; only a client section named exactly [radius_client] can pass attributes through`;
    r.issues.error(r.lineOf('pass_through_attr_names'), 'pass_through_attr_names',
      `Can only pass through radius attributes if using a radius client (${why})`);
  }
  if (s.type === 'radius_server_auto' && new Set(s.factors).size !== s.factors.length) {
    r.issues.warn(r.lineOf('factors'), 'factors', `The factors value provided is invalid. (a factor is listed twice, got ${JSON.stringify(s.factors.join(','))})`);
  }
  if (r.has('api_signature_version') && s.apiVersion === 1) {
    r.issues.warn(r.lineOf('api_signature_version'), 'api_signature_version',
      `api_signature_version in section [${r.name}] has no effect when api_version is 1`);
  }
  if (s.limitProxyState && s.requireMessageAuthenticator) {
    r.issues.warn(r.lineOf('limit_proxy_state'), 'limit_proxy_state',
      `limit_proxy_state in section [${r.name}] has no effect when require_message_authenticator is true`);
  }
}

/** Duo's validator formats: ikey `^DI[A-Z0-9]{18}$`, skey `^[a-zA-Z0-9]{40}$` (spec §1.9); empty values are already reported. */
function checkDuoKeys(r: SectionReader, s: ServerSection): void {
  if (s.ikey !== '' && !/^DI[A-Z0-9]{18}$/.test(s.ikey)) {
    r.issues.warn(r.lineOf('ikey'), 'ikey',
      `The ikey value provided is invalid. (must be DI followed by 18 upper-case letters or digits, ${describeGot(s.ikey, false)})`);
  }
  if (s.skey !== '' && !/^[a-zA-Z0-9]{40}$/.test(s.skey)) {
    r.issues.warn(r.lineOf('skey'), 'skey',
      `The skey value provided is invalid. (must be 40 letters or digits, ${describeGot(s.skey, true)})`);
  }
}

/**
 * Duo's validator warning for NAS networks of two sections that share one listener
 * (same port and interface) and overlap: requests from the overlap go to one section only.
 */
export function checkOverlaps(servers: readonly [SectionReader, ServerSection][]): void {
  servers.forEach(([, a], i) => {
    for (const [rb, b] of servers.slice(i + 1)) {
      if (a.port !== b.port || a.interface !== b.interface) continue;
      for (const eb of b.clients) {
        const ea = a.clients.find((x) => overlaps(x, eb));
        if (!ea) continue;
        const at = `${b.interface === '' ? '*' : b.interface}:${b.port}`;
        rb.issues.warn(eb.line, eb.key,
          `Conflicting network configuration. ${a.name} listens on ${at} for clients in ${ea.network}. ${b.name} listens on ${at} for clients in ${eb.network}. ` +
          'Messages from the overlapping IP range will be sent to sections based on their order in the configuration. This is not recommended as it can cause unexpected behavior.');
      }
    }
  });
}

function overlaps(x: RadiusClientEntry, y: RadiusClientEntry): boolean {
  return x.range.family === y.range.family && x.range.first <= y.range.last && y.range.first <= x.range.last;
}
