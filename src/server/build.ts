/**
 * Config → concrete objects. The only file that knows every concrete class (house style §9.1):
 * an explicit map from section type to factory, no side-effect imports. Construction does no I/O.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { isAbsolute, join } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { Config, ClientSection, ServerSection } from '../config/types.js';
import { ConfigInvalidError, IssueCollector } from '../config/issues.js';
import { DuoClient } from '../duo/index.js';
import type { SecondFactor } from '../duo/types.js';
import type { Logger } from '../log/logger.js';
import { AdClient } from '../primary/ad-client.js';
import { DuoOnlyClient } from '../primary/duo-only-client.js';
import { RadiusClient } from '../primary/radius-client.js';
import type { PrimaryAuthenticator } from '../primary/types.js';
import { resolveAttribute, type AttributeRef } from '../radius/dictionary.js';
import type { RadiusHandler } from '../radius/types.js';
import type { AuthEventSink } from '../proxy/auth-events.js';
import { AutoServer } from '../proxy/auto-server.js';
import { ChallengeServer } from '../proxy/challenge-server.js';
import { ChallengeStore } from '../proxy/challenge-store.js';
import { ConcatServer } from '../proxy/concat-server.js';
import type { ChallengeData, SectionDeps, SectionPolicy } from '../proxy/context.js';
import { DuoOnlyServer } from '../proxy/duo-only-server.js';
import { buildGuard, guardSettingsOf } from '../guard/index.js';
import type { SectionGuard } from '../guard/section-guard.js';

/** What build needs besides the config. */
export interface BuildContext {
  readonly config: Config;
  /** The install directory: relative paths (conf/, log/) resolve against it. */
  readonly installDir: string;
  readonly log: Logger;
  readonly events: AuthEventSink;
  readonly version: string;
  readonly primaryOnly?: boolean;
  /**
   * Reload: per section name, the running section's state to keep — pending challenges (so an
   * `Enter passcode:` issued before the reload can still be answered) and the guard's counters and
   * locks (kept when the section's guard settings are unchanged).
   */
  readonly carryOver?: ReadonlyMap<string, Pick<BuiltSection, 'challenges' | 'guard'>>;
}

/** Resolves a file option: absolute as is; `conf/x` against the install dir; a bare name under conf/. */
export function resolveConfFile(installDir: string, name: string): string {
  if (isAbsolute(name)) return name;
  return name.startsWith('conf/') ? join(installDir, name) : join(installDir, 'conf', name);
}

/**
 * The CA bundle for the Duo API (`[main] http_ca_certs_file`). When the default `conf/ca-bundle.crt`
 * is absent we use Node's bundled Mozilla roots (which include the roots Duo ships); an explicitly
 * configured file that cannot be read is a start-up error, as in Duo's proxy.
 */
export function loadCaBundle(ctx: BuildContext): string {
  const file = resolveConfFile(ctx.installDir, ctx.config.main.httpCaCertsFile);
  if (!existsSync(file) && ctx.config.main.httpCaCertsFile === 'conf/ca-bundle.crt') return rootCertificates.join('\n');
  return readFileSync(file, 'utf8');
}

/** Builds the primary authenticator of a client section. */
export function buildPrimary(section: ClientSection, ctx: BuildContext): PrimaryAuthenticator {
  const log = ctx.log.child(section.name);
  switch (section.type) {
    case 'ad_client':
      return new AdClient({
        name: section.name, hosts: section.hosts, port: section.port, transport: section.transport,
        caCertsFile: section.sslCaCertsFile === undefined ? undefined : resolveConfFile(ctx.installDir, section.sslCaCertsFile),
        verifyHostname: section.sslVerifyHostname, serviceAccountUsername: section.serviceAccountUsername,
        serviceAccountPassword: section.serviceAccountPassword, searchDn: section.searchDn,
        securityGroupDn: section.securityGroupDn, bindDn: section.bindDn, usernameAttribute: section.usernameAttribute,
        atAttribute: section.atAttribute, ldapFilter: section.ldapFilter, timeoutSec: section.timeout,
        authType: section.authType, ntlmDomain: section.ntlmDomain, log,
      });
    case 'radius_client':
      return new RadiusClient({
        name: section.name, hosts: section.hosts, secret: Buffer.from(section.secret, 'utf8'), retries: section.retries,
        retryWaitMs: section.retryWait * 1000, requireMessageAuthenticator: section.requireMessageAuthenticator,
        nasIp: section.nasIp, passThroughAttrNames: section.passThroughAttrNames, passThroughAll: section.passThroughAll,
        pwCodec: section.pwCodec, log,
      });
    case 'duo_only_client':
      return new DuoOnlyClient(section.name);
  }
}

/** `client_ip_attr` → attribute (spec §5.1). */
function clientIpAttr(section: ServerSection, issues: IssueCollector): AttributeRef {
  const v = section.clientIpAttr;
  const name = v.toLowerCase() === 'default' ? 'Calling-Station-Id' : v.toLowerCase() === 'paloalto' ? 'PaloAlto-Client-Source-IP' : v;
  const ref = resolveAttribute(name);
  if (ref) return ref;
  issues.at(section.header).error(section.optionLines['client_ip_attr'], 'client_ip_attr',
    `Invalid configuration value for client_ip_attr: RADIUS attribute ${v} unkonwn.`);
  return resolveAttribute('Calling-Station-Id')!;
}

/** The pipeline's view of a server section. */
export function sectionPolicy(section: ServerSection, issues: IssueCollector, primaryOnly: boolean): SectionPolicy {
  const auto = section.type === 'radius_server_auto' ? section : undefined;
  const concat = section.type === 'radius_server_auto' || section.type === 'radius_server_concat' ? section : undefined;
  return {
    name: section.name,
    ikey: section.ikey,
    failmode: section.failmode,
    factors: auto?.factors ?? ['auto'],
    allowConcat: auto?.allowConcat ?? false,
    concat: { delimiter: concat?.delimiter ?? ',', delimitedPasswordLength: concat?.delimitedPasswordLength ?? 0 },
    exemptUsernames: section.exemptUsernames,
    clientIpAttr: clientIpAttr(section, issues),
    passThroughAll: section.passThroughAll,
    passThroughAttrs: section.passThroughAttrNames.map((n) => resolveAttribute(n)).filter((r): r is AttributeRef => r !== undefined),
    primaryOnly,
  };
}

/** Builds the Duo client of a server section. */
export function buildDuo(section: ServerSection, ctx: BuildContext, caCerts: string): SecondFactor {
  const m = ctx.config.main;
  const names = [...ctx.config.servers, ...ctx.config.clients].map((s) => s.name).sort().join(',');
  return new DuoClient({
    ikey: section.ikey, skey: section.skey, apiHost: section.apiHost, apiPort: section.apiPort,
    apiTimeoutSec: section.apiTimeout, caCerts,
    httpProxy: m.httpProxyHost ? { host: m.httpProxyHost, port: m.httpProxyPort } : undefined,
    apiVersion: section.apiVersion, signatureVersion: section.apiSignatureVersion,
    userAgent: `authproxy/${ctx.version} (${process.platform}; Node ${process.versions.node}; ${names})`,
    log: ctx.log.child('HTTPClient'),
  });
}

/** The handler of a server section, by type. */
export function buildHandler(section: ServerSection, deps: SectionDeps): RadiusHandler {
  switch (section.type) {
    case 'radius_server_auto':
      return new AutoServer(deps);
    case 'radius_server_challenge':
      return new ChallengeServer(deps, { promptFormat: section.promptFormat, enrollChallenge: section.enrollChallenge });
    case 'radius_server_concat':
      return new ConcatServer(deps);
    case 'radius_server_duo_only':
      return new DuoOnlyServer(deps);
  }
}

/** Everything built for one server section. */
export interface BuiltSection {
  readonly section: ServerSection;
  readonly handler: RadiusHandler;
  readonly duo: SecondFactor;
  readonly challenges: ChallengeStore<ChallengeData>;
  /** Brute-force / abuse protection; undefined when every `user_*` / `nas_*` limit is off. */
  readonly guard: SectionGuard | undefined;
}

/** Builds primaries and server sections; throws ConfigInvalidError for build-time config errors. */
export function buildAll(ctx: BuildContext): { primaries: Map<string, PrimaryAuthenticator>; sections: BuiltSection[] } {
  const issues = new IssueCollector(ctx.config.path);
  const primaries = new Map<string, PrimaryAuthenticator>();
  for (const c of ctx.config.clients) primaries.set(c.name, buildPrimary(c, ctx));
  const ca = ctx.config.servers.length > 0 ? loadCaBundle(ctx) : '';
  const sections = ctx.config.servers.map((section) => {
    const duo = buildDuo(section, ctx, ca);
    const previous = ctx.carryOver?.get(section.name);
    const challenges = previous?.challenges ?? new ChallengeStore<ChallengeData>();
    const log = ctx.log.child('DuoForwardServer (UDP)');
    const settings = guardSettingsOf(section);
    const keep = previous?.guard && isDeepStrictEqual(previous.guard.settings, settings);
    const guard = keep ? previous.guard : buildGuard(settings, log);
    const deps: SectionDeps = {
      policy: sectionPolicy(section, issues, ctx.primaryOnly ?? false),
      primary: section.type === 'radius_server_duo_only' || section.client === undefined ? undefined : primaries.get(section.client),
      duo, log, events: ctx.events, challenges, guard,
    };
    return { section, handler: buildHandler(section, deps), duo, challenges, guard };
  });
  if (issues.hasErrors()) throw new ConfigInvalidError(issues.issues);
  return { primaries, sections };
}
