/**
 * Turns read sections into the typed objects of types.ts. Values come from the option tables
 * (defaults already applied by SectionReader); when a value was invalid an error has been
 * recorded and the config will not be returned, so the fallbacks here only keep later checks going.
 */
import { readAdHosts, readExemptUsernames, readRadiusClients, readRadiusHosts } from './numbered-keys.js';
import type { SectionReader } from './section-reader.js';
import type {
  AdClientSection, ClientSection, DuoOnlyClientSection, Factor, MainConfig, PwCodec, RadiusClientSection,
  ServerSection, ServerSectionBase,
} from './types.js';
import type { ClientType, ServerType } from './sections/registry.js';

const str = (r: SectionReader, key: string): string => {
  const v = r.get(key);
  return typeof v === 'string' ? v : '';
};
const optStr = (r: SectionReader, key: string): string | undefined => {
  const v = r.get(key);
  return typeof v === 'string' ? v : undefined;
};
const num = (r: SectionReader, key: string): number => {
  const v = r.get(key);
  return typeof v === 'number' ? v : 0;
};
const bool = (r: SectionReader, key: string): boolean => r.get(key) === true;
const list = (r: SectionReader, key: string): readonly string[] => {
  const v = r.get(key);
  return Array.isArray(v) ? v : [];
};

/** Pushed-down values from `[main]` (spec §1.7). */
export interface MainOverrides {
  readonly debug: boolean;
  readonly interface: string;
}

/** `[main]` (the reader may be for an empty stand-in when the file has no `[main]`). */
export function buildMain(r: SectionReader, present: boolean): MainConfig {
  return {
    line: present ? r.line : undefined,
    optionLines: r.optionLines(),
    debug: bool(r, 'debug'),
    logDir: str(r, 'log_dir'),
    logMaxSize: num(r, 'log_max_size'),
    logMaxFiles: num(r, 'log_max_files'),
    logFile: bool(r, 'log_file'),
    logStdout: bool(r, 'log_stdout'),
    logSyslog: bool(r, 'log_syslog'),
    syslogFacility: str(r, 'syslog_facility'),
    logAuthEvents: bool(r, 'log_auth_events'),
    logSsoEvents: bool(r, 'log_sso_events'),
    httpCaCertsFile: str(r, 'http_ca_certs_file'),
    httpProxyHost: optStr(r, 'http_proxy_host'),
    httpProxyPort: num(r, 'http_proxy_port'),
    interface: str(r, 'interface'),
    client: optStr(r, 'client'),
    server: optStr(r, 'server'),
    testConnectivityOnStartup: bool(r, 'test_connectivity_on_startup'),
    fipsMode: bool(r, 'fips_mode'),
    metricsPort: num(r, 'metrics_port'),
    metricsInterface: str(r, 'metrics_interface'),
  };
}

function base(r: SectionReader, main: MainOverrides) {
  return {
    name: r.name,
    header: r.header,
    line: r.line,
    optionLines: r.optionLines(),
    debug: main.debug || bool(r, 'debug'),
  };
}

/** A client section of `type`. */
export function buildClient(type: ClientType, r: SectionReader, main: MainOverrides): ClientSection {
  switch (type) {
    case 'ad_client':
      return buildAdClient(r, main);
    case 'radius_client':
      return buildRadiusClient(r, main);
    case 'duo_only_client':
      return { ...base(r, main), type, httpCaCertsFile: str(r, 'http_ca_certs_file') } satisfies DuoOnlyClientSection;
  }
}

function buildAdClient(r: SectionReader, main: MainOverrides): AdClientSection {
  return {
    ...base(r, main),
    type: 'ad_client',
    hosts: readAdHosts(r),
    port: num(r, 'port'),
    transport: str(r, 'transport') as AdClientSection['transport'],
    sslCaCertsFile: optStr(r, 'ssl_ca_certs_file'),
    sslVerifyHostname: bool(r, 'ssl_verify_hostname'),
    sslVerifyDepth: num(r, 'ssl_verify_depth'),
    serviceAccountUsername: str(r, 'service_account_username'),
    serviceAccountPassword: str(r, 'service_account_password'),
    searchDn: str(r, 'search_dn'),
    securityGroupDn: str(r, 'security_group_dn'),
    bindDn: str(r, 'bind_dn'),
    usernameAttribute: str(r, 'username_attribute'),
    atAttribute: str(r, 'at_attribute'),
    ldapFilter: str(r, 'ldap_filter'),
    timeout: num(r, 'timeout'),
    authType: str(r, 'auth_type') as AdClientSection['authType'],
    ntlmDomain: str(r, 'ntlm_domain'),
    ntlmWorkstation: str(r, 'ntlm_workstation'),
  };
}

function buildRadiusClient(r: SectionReader, main: MainOverrides): RadiusClientSection {
  return {
    ...base(r, main),
    type: 'radius_client',
    hosts: readRadiusHosts(r),
    secret: str(r, 'secret'),
    retries: num(r, 'retries'),
    retryWait: num(r, 'retry_wait'),
    nasIp: optStr(r, 'nas_ip'),
    passThroughAttrNames: list(r, 'pass_through_attr_names'),
    passThroughAll: bool(r, 'pass_through_all'),
    pwCodec: str(r, 'pw_codec') as PwCodec,
    requireMessageAuthenticator: bool(r, 'require_message_authenticator'),
  };
}

/** The part shared by every server type; `client` is the resolved client name (spec §1.6). */
function buildServerBase(type: ServerType, r: SectionReader, main: MainOverrides, client: string | undefined): ServerSectionBase {
  return {
    ...base(r, main),
    type,
    ikey: str(r, 'ikey'),
    skey: str(r, 'skey'),
    apiHost: str(r, 'api_host'),
    apiPort: num(r, 'api_port'),
    apiTimeout: num(r, 'api_timeout'),
    client,
    clients: readRadiusClients(r),
    port: num(r, 'port'),
    interface: optStr(r, 'interface') ?? main.interface,
    failmode: str(r, 'failmode') as ServerSectionBase['failmode'],
    exemptUsernames: readExemptUsernames(r),
    passThroughAttrNames: list(r, 'pass_through_attr_names'),
    passThroughAll: bool(r, 'pass_through_all'),
    pwCodec: str(r, 'pw_codec') as PwCodec,
    clientIpAttr: str(r, 'client_ip_attr'),
    httpProxyHost: optStr(r, 'http_proxy_host'),
    httpProxyPort: num(r, 'http_proxy_port'),
    httpCaCertsFile: str(r, 'http_ca_certs_file'),
    requireMessageAuthenticator: bool(r, 'require_message_authenticator'),
    limitProxyState: bool(r, 'limit_proxy_state'),
    apiVersion: num(r, 'api_version') === 2 ? 2 : 1,
    apiSignatureVersion: num(r, 'api_signature_version') === 2 ? 2 : 5,
    userBackoffThreshold: num(r, 'user_backoff_threshold'),
    userBackoffFactor: num(r, 'user_backoff_factor'),
    userBackoffMaxSeconds: num(r, 'user_backoff_max_seconds'),
    userTriesBeforeLockout: num(r, 'user_tries_before_lockout'),
    userLockoutMinutes: num(r, 'user_lockout_minutes'),
    userFailureWindowSeconds: num(r, 'user_failure_window_seconds'),
    userMaxPushesPerWindow: num(r, 'user_max_pushes_per_window'),
    userPushWindowSeconds: num(r, 'user_push_window_seconds'),
    nasRateLimit: num(r, 'nas_rate_limit'),
    nasRateBurst: num(r, 'nas_rate_burst'),
    nasMaxPending: num(r, 'nas_max_pending'),
    userTableSize: num(r, 'user_table_size'),
  };
}

/** A server section of `type` with its resolved client. */
export function buildServer(type: ServerType, r: SectionReader, main: MainOverrides, client: string | undefined): ServerSection {
  switch (type) {
    case 'radius_server_auto':
      return {
        ...buildServerBase(type, r, main, client),
        type,
        factors: list(r, 'factors') as readonly Factor[],
        delimiter: str(r, 'delimiter'),
        delimitedPasswordLength: num(r, 'delimited_password_length'),
        allowConcat: bool(r, 'allow_concat'),
      };
    case 'radius_server_challenge':
      return {
        ...buildServerBase(type, r, main, client),
        type,
        promptFormat: str(r, 'prompt_format') as 'console' | 'html' | 'short',
        enrollChallenge: bool(r, 'enroll_challenge'),
      };
    case 'radius_server_concat':
      return {
        ...buildServerBase(type, r, main, client),
        type,
        delimiter: str(r, 'delimiter'),
        delimitedPasswordLength: num(r, 'delimited_password_length'),
      };
    case 'radius_server_duo_only':
      return { ...buildServerBase(type, r, main, undefined), type, client: undefined };
  }
}
