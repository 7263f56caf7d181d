/**
 * The typed, deep-frozen configuration handed to the rest of the proxy. Field names are camelCase;
 * `optionLines` and `duoKey()` (load.ts) lead back to the Duo key and its line for messages.
 * Every default has already been applied (from the option tables in sections/*.ts).
 */
import type { ConfigIssue } from './issues.js';
import type { NetworkRange } from '../util/ip.js';
import type { ClientType, ServerType } from './sections/registry.js';

export type { ClientType, ServerType, SectionType } from './sections/registry.js';
export type { NetworkRange } from '../util/ip.js';

/** A factor name allowed in `factors` (spec §5.2). */
export type Factor = 'auto' | 'push' | 'phone' | 'passcode';
/** `pw_codec`, normalised from Python's codec names and aliases. */
export type PwCodec = 'utf-8' | 'latin-1' | 'ascii';

/** What every section carries. */
export interface SectionBase {
  /** Section name, lower-cased (`radius_server_auto2`); client names refer to this. */
  readonly name: string;
  /** The header as written in the file, for messages (`RADIUS_Server_Auto2`). */
  readonly header: string;
  /** Line of the `[header]`. */
  readonly line: number;
  /** Line of every key read from the file (Duo key → line), including `[DEFAULT]`-inherited ones. */
  readonly optionLines: Readonly<Record<string, number>>;
  /** `debug` of the section, or `true` when `[main] debug` is on (spec §1.7). */
  readonly debug: boolean;
}

/** `[main]` (spec §1.8); present with defaults even when the file has no `[main]`. */
export interface MainConfig {
  /** Line of `[main]`, undefined when the file has none. */
  readonly line: number | undefined;
  readonly optionLines: Readonly<Record<string, number>>;
  readonly debug: boolean;
  readonly logDir: string;
  /** Bytes. */
  readonly logMaxSize: number;
  /** 0 = unlimited. */
  readonly logMaxFiles: number;
  readonly logFile: boolean;
  readonly logStdout: boolean;
  readonly logSyslog: boolean;
  /** `LOG_USER`, `LOG_LOCAL0`… */
  readonly syslogFacility: string;
  readonly logAuthEvents: boolean;
  readonly logSsoEvents: boolean;
  /** As written; relative names resolve under conf/. */
  readonly httpCaCertsFile: string;
  readonly httpProxyHost: string | undefined;
  readonly httpProxyPort: number;
  /** Default bind address of server sections; `''` = all IPv4 addresses. */
  readonly interface: string;
  /** Lower-cased default client section name. */
  readonly client: string | undefined;
  /** Lower-cased server section that `client` is forced onto. */
  readonly server: string | undefined;
  readonly testConnectivityOnStartup: boolean;
  readonly fipsMode: boolean;
  /** Extension: TCP port of the metrics endpoint; 0 = off. */
  readonly metricsPort: number;
  /** Extension: bind address of the metrics endpoint. */
  readonly metricsInterface: string;
}

/** One `radius_ip_N` / `radius_secret_N` pair. */
export interface RadiusClientEntry {
  /** The `radius_ip_N` value as written. */
  readonly network: string;
  /** The parsed network as an inclusive address range (see network.ts `networkContains`). */
  readonly range: NetworkRange;
  /** The `radius_secret_N` value, byte for byte (UTF-8 text). */
  readonly secret: string;
  /** The key, e.g. `radius_ip_3`. */
  readonly key: string;
  /** Line of the `radius_ip_N` key. */
  readonly line: number;
}

/** Options of every `radius_server_*` section (spec §5.1, §9.1 and our extensions). */
export interface ServerSectionBase extends SectionBase {
  readonly type: ServerType;
  readonly ikey: string;
  readonly skey: string;
  readonly apiHost: string;
  readonly apiPort: number;
  /** Seconds per Duo call; 0 = no timeout. */
  readonly apiTimeout: number;
  /** Resolved client section name (spec §1.6), lower-cased; undefined for `radius_server_duo_only`. */
  readonly client: string | undefined;
  /** Allowed NAS networks and their secrets, in file order. */
  readonly clients: readonly RadiusClientEntry[];
  readonly port: number;
  /** Bind address (own value, else `[main] interface`); `''` = all IPv4 addresses. */
  readonly interface: string;
  readonly failmode: 'safe' | 'secure';
  /** `exempt_username_1..N`, contiguous from 1. */
  readonly exemptUsernames: readonly string[];
  readonly passThroughAttrNames: readonly string[];
  readonly passThroughAll: boolean;
  readonly pwCodec: PwCodec;
  /** `default`, `paloalto` or an attribute name (not yet resolved against the dictionary). */
  readonly clientIpAttr: string;
  /** Accepted for compatibility; ignored at runtime (only `[main]`'s value is used). */
  readonly httpProxyHost: string | undefined;
  /** Accepted for compatibility; ignored at runtime. */
  readonly httpProxyPort: number;
  /** Accepted for compatibility; ignored at runtime. */
  readonly httpCaCertsFile: string;
  /** Extension: drop Access-Requests without a valid Message-Authenticator. */
  readonly requireMessageAuthenticator: boolean;
  /** Extension: drop Access-Requests with Proxy-State but without Message-Authenticator. */
  readonly limitProxyState: boolean;
  /** Extension: 1 = legacy `/rest/v1` + signature v1 (Duo's proxy), 2 = Auth API v2. */
  readonly apiVersion: 1 | 2;
  /** Extension: signature version for `apiVersion` 2. */
  readonly apiSignatureVersion: 2 | 5;
  /** Extension (src/guard): failed primary logins before back-off; 0 = off. */
  readonly userBackoffThreshold: number;
  /** Extension: seconds of delay per attempt beyond the threshold. */
  readonly userBackoffFactor: number;
  /** Extension: cap of the back-off delay, seconds. */
  readonly userBackoffMaxSeconds: number;
  /** Extension: failed primary logins that lock the user; 0 = off. */
  readonly userTriesBeforeLockout: number;
  /** Extension: lockout duration, minutes. */
  readonly userLockoutMinutes: number;
  /** Extension: window in which failures are counted, seconds. */
  readonly userFailureWindowSeconds: number;
  /** Extension: Duo out-of-band requests per user per push window; 0 = off. */
  readonly userMaxPushesPerWindow: number;
  /** Extension: push window, seconds. */
  readonly userPushWindowSeconds: number;
  /** Extension: new Access-Requests per second per NAS address; 0 = off. */
  readonly nasRateLimit: number;
  /** Extension: burst above the rate; 0 = nasRateLimit. */
  readonly nasRateBurst: number;
  /** Extension: logins in progress per NAS address; 0 = off. */
  readonly nasMaxPending: number;
  /** Extension: users / NAS addresses the guard remembers (LRU). */
  readonly userTableSize: number;
}

/** `[radius_server_auto]` (spec §5.2). */
export interface RadiusServerAutoSection extends ServerSectionBase {
  readonly type: 'radius_server_auto';
  /** In the admin's order of preference. */
  readonly factors: readonly Factor[];
  readonly delimiter: string;
  readonly delimitedPasswordLength: number;
  readonly allowConcat: boolean;
}

/** `[radius_server_challenge]` (spec §5.9). */
export interface RadiusServerChallengeSection extends ServerSectionBase {
  readonly type: 'radius_server_challenge';
  readonly promptFormat: 'console' | 'html' | 'short';
  readonly enrollChallenge: boolean;
}

/** `[radius_server_concat]` (spec §5.9). */
export interface RadiusServerConcatSection extends ServerSectionBase {
  readonly type: 'radius_server_concat';
  readonly delimiter: string;
  readonly delimitedPasswordLength: number;
}

/** `[radius_server_duo_only]` (spec §5.9): no client. */
export interface RadiusServerDuoOnlySection extends ServerSectionBase {
  readonly type: 'radius_server_duo_only';
  readonly client: undefined;
}

/** A server section, discriminated by `type`. */
export type ServerSection =
  | RadiusServerAutoSection
  | RadiusServerChallengeSection
  | RadiusServerConcatSection
  | RadiusServerDuoOnlySection;

/** `[ad_client]` (spec §2.1). */
export interface AdClientSection extends SectionBase {
  readonly type: 'ad_client';
  /** `host`, then every `host_N` in numeric order. */
  readonly hosts: readonly string[];
  readonly port: number;
  readonly transport: 'clear' | 'ldaps' | 'starttls';
  readonly sslCaCertsFile: string | undefined;
  readonly sslVerifyHostname: boolean;
  readonly sslVerifyDepth: number;
  readonly serviceAccountUsername: string;
  readonly serviceAccountPassword: string;
  readonly searchDn: string;
  readonly securityGroupDn: string;
  /** `''` means Duo's literal `<ROOT>`. */
  readonly bindDn: string;
  readonly usernameAttribute: string;
  readonly atAttribute: string;
  readonly ldapFilter: string;
  /** Seconds per host attempt. */
  readonly timeout: number;
  readonly authType: 'plain' | 'ntlm1' | 'ntlm2';
  readonly ntlmDomain: string;
  readonly ntlmWorkstation: string;
}

/** One upstream RADIUS server. */
export interface RadiusHost {
  readonly host: string;
  readonly port: number;
}

/** `[radius_client]` (spec §3.1). */
export interface RadiusClientSection extends SectionBase {
  readonly type: 'radius_client';
  /** `host`/`port`, then `host_1`/`port_1`, `host_2`… up to the first gap. */
  readonly hosts: readonly RadiusHost[];
  readonly secret: string;
  readonly retries: number;
  /** Seconds. */
  readonly retryWait: number;
  /** undefined = automatic (local address of the route to 8.8.8.8). */
  readonly nasIp: string | undefined;
  readonly passThroughAttrNames: readonly string[];
  readonly passThroughAll: boolean;
  readonly pwCodec: PwCodec;
  /** Extension: drop upstream replies without a valid Message-Authenticator. */
  readonly requireMessageAuthenticator: boolean;
}

/** `[duo_only_client]` (spec §4). */
export interface DuoOnlyClientSection extends SectionBase {
  readonly type: 'duo_only_client';
  /** Accepted for compatibility; ignored at runtime. */
  readonly httpCaCertsFile: string;
}

/** A client section, discriminated by `type`. */
export type ClientSection = AdClientSection | RadiusClientSection | DuoOnlyClientSection;

/** The whole loaded configuration. */
export interface Config {
  /** The config file as given (used in every message). */
  readonly path: string;
  readonly main: MainConfig;
  /** Server sections in file order. */
  readonly servers: readonly ServerSection[];
  /** Client sections in file order. */
  readonly clients: readonly ClientSection[];
  /** Everything the validator found that does not stop the proxy (unknown keys, bad ikey…). */
  readonly warnings: readonly ConfigIssue[];
}

/** Narrowing helper for {@link ClientType}. */
export type ClientSectionOf<T extends ClientType> = Extract<ClientSection, { type: T }>;
