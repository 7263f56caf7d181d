/**
 * `[radius_server_*]` options: the part common to every server type (spec §5.1, §9.1 and our
 * extensions) and the per-type additions (§5.2, §5.9).
 */
import { T, type OptionSpec, type SectionSpec } from '../schema.js';

/**
 * Brute-force and abuse protection (our extension, src/guard): per-user back-off and lockout,
 * a per-user push cap, a per-NAS rate limit and pending-login cap. Every limit is 0 (off) by
 * default, so Duo configurations behave as before. Typed fields: `ServerSectionBase` in
 * ../types.ts, filled by `buildServerBase` in ../build-sections.ts.
 */
export const BRUTE_FORCE_OPTIONS: readonly OptionSpec[] = [
  { key: 'user_backoff_threshold', field: 'userBackoffThreshold', type: T.nonNegative, default: 0, extension: true, doc: 'Failed primary logins of a user (within user_failure_window_seconds) after which each further attempt is answered late (Junos retry-options backoff-threshold); 0 = off.' },
  { key: 'user_backoff_factor', field: 'userBackoffFactor', type: T.nonNegative, default: 5, extension: true, doc: 'Seconds of delay per attempt beyond user_backoff_threshold: attempt n waits user_backoff_factor x (n - user_backoff_threshold) s (Junos backoff-factor).' },
  { key: 'user_backoff_max_seconds', field: 'userBackoffMaxSeconds', type: T.nonNegative, default: 30, extension: true, doc: 'Longest back-off delay in seconds; keep it below the NAS timeout (0 = no delay).' },
  { key: 'user_tries_before_lockout', field: 'userTriesBeforeLockout', type: T.nonNegative, default: 0, extension: true, doc: 'Failed primary logins of a user (within user_failure_window_seconds) that lock the user for user_lockout_minutes; locked logins are rejected without contacting the directory (Junos tries-before-disconnect + lockout-period); 0 = off.' },
  { key: 'user_lockout_minutes', field: 'userLockoutMinutes', type: { kind: 'int', min: 1 }, default: 15, extension: true, doc: 'How long a locked user is refused (Junos lockout-period); a successful login resets the failure count.' },
  { key: 'user_failure_window_seconds', field: 'userFailureWindowSeconds', type: { kind: 'int', min: 1 }, default: 900, extension: true, doc: 'Failed logins are counted in a window starting at the first failure; after it the count starts again.' },
  { key: 'user_max_pushes_per_window', field: 'userMaxPushesPerWindow', type: T.nonNegative, default: 0, extension: true, doc: 'Push bombing guard: Duo push/phone/SMS requests per user per user_push_window_seconds; further logins are rejected without calling Duo auth; an approved login clears the count; 0 = off.' },
  { key: 'user_push_window_seconds', field: 'userPushWindowSeconds', type: { kind: 'int', min: 1 }, default: 300, extension: true, doc: 'Window of user_max_pushes_per_window, in seconds.' },
  { key: 'nas_rate_limit', field: 'nasRateLimit', type: T.nonNegative, default: 0, extension: true, doc: 'New Access-Requests per second accepted from one NAS address; the excess is dropped silently (the NAS retries) and counted (Junos rate-limit); 0 = off.' },
  { key: 'nas_rate_burst', field: 'nasRateBurst', type: T.nonNegative, default: 0, extension: true, doc: 'Bucket size of nas_rate_limit: new requests a NAS may send at once; 0 = nas_rate_limit (one second worth).' },
  { key: 'nas_max_pending', field: 'nasMaxPending', type: T.nonNegative, default: 0, extension: true, doc: 'Logins from one NAS address in progress at once (e.g. waiting for a push); the excess is dropped silently and counted (Junos connection-limit); 0 = off.' },
  { key: 'user_table_size', field: 'userTableSize', type: { kind: 'int', min: 1 }, default: 10000, extension: true, doc: 'User names the guard remembers (failures, locks, pushes); the least recently seen are forgotten first, so cycling user names cannot grow memory.' },
];

/** Options of every `radius_server_*` section. */
export const SERVER_COMMON_OPTIONS: readonly OptionSpec[] = [
  { key: 'ikey', field: 'ikey', type: T.string, required: true, example: 'DIXXXXXXXXXXXXXXXXXX', doc: 'Duo integration key (DI + 18 letters/digits).' },
  { key: 'skey', field: 'skey', type: T.string, required: true, secret: true, protectedKey: 'skey_protected', example: '', doc: 'Duo secret key (40 letters/digits).' },
  { key: 'api_host', field: 'apiHost', type: T.string, default: 'api.duosecurity.com', validatorRequired: true, doc: 'Duo API hostname (api-XXXXXXXX.duosecurity.com).' },
  { key: 'api_port', field: 'apiPort', type: T.port, default: 443, doc: 'Duo API port.' },
  { key: 'api_timeout', field: 'apiTimeout', type: T.nonNegative, default: 0, doc: 'Seconds allowed for each Duo API call; 0 = no timeout (a push can take ~60 s).' },
  { key: 'radius_ip_N', field: 'clients', type: { kind: 'network' }, numbered: true, required: true, example: '127.0.0.1', doc: 'Allowed NAS: IP, CIDR, IPv4 address/netmask or range a-b; any numbers, gaps allowed; at least one.' },
  { key: 'radius_secret_N', field: 'clients', type: T.string, numbered: true, required: true, secret: true, protectedKey: 'radius_secret_protected_N', example: '', doc: 'Shared secret of the NAS network radius_ip_N (required for each radius_ip_N).' },
  { key: 'client', field: 'client', type: { kind: 'section-name' }, defaultDoc: '(see [main] client)', example: 'ad_client', doc: 'Client section doing primary auth; default: [main] client, or the only client section.' },
  { key: 'port', field: 'port', type: T.port, default: 1812, doc: 'UDP port to listen on.' },
  { key: 'interface', field: 'interface', type: { kind: 'ip', allowEmpty: true }, defaultDoc: '([main] interface)', doc: 'Bind address; default [main] interface, empty = all IPv4 addresses.' },
  { key: 'failmode', field: 'failmode', type: { kind: 'enum', values: ['safe', 'secure'] }, default: 'safe', doc: 'safe: allow the login when Duo is unavailable; secure: deny it.' },
  { key: 'exempt_username_N', field: 'exemptUsernames', type: T.string, numbered: true, example: 'svc-monitor', doc: 'User-Names (exact, case-sensitive) that skip Duo; exempt_username_1, _2, … contiguous from 1.' },
  { key: 'pass_through_attr_names', field: 'passThroughAttrNames', type: T.list, default: [], doc: 'Comma list of NAS request attributes copied upstream (only with client radius_client).' },
  { key: 'pass_through_all', field: 'passThroughAll', type: T.bool, default: false, doc: 'Copy every NAS request attribute into the upstream request.' },
  { key: 'pw_codec', field: 'pwCodec', type: T.codec, default: 'utf-8', doc: 'Codec used to decode User-Password: utf-8, latin-1 or ascii.' },
  { key: 'client_ip_attr', field: 'clientIpAttr', type: { kind: 'client-ip-attr' }, default: 'default', doc: 'Attribute holding the end-user IP: default (Calling-Station-Id), paloalto, or an attribute name.' },
  { key: 'debug', field: 'debug', type: T.bool, default: false, doc: 'Packet dumps.' },
  { key: 'http_proxy_host', field: 'httpProxyHost', type: T.string, defaultDoc: '(none)', example: 'proxy.example.com', ignored: true, doc: "Accepted for compatibility; only [main]'s value is used." },
  { key: 'http_proxy_port', field: 'httpProxyPort', type: T.port, default: 80, ignored: true, doc: "Accepted for compatibility; only [main]'s value is used." },
  { key: 'http_ca_certs_file', field: 'httpCaCertsFile', type: T.string, default: 'conf/ca-bundle.crt', ignored: true, doc: "Accepted for compatibility; only [main]'s value is used." },
  { key: 'require_message_authenticator', field: 'requireMessageAuthenticator', type: T.bool, default: false, extension: true, doc: 'Drop Access-Requests without a valid Message-Authenticator (BlastRADIUS, CVE-2024-3596).' },
  { key: 'limit_proxy_state', field: 'limitProxyState', type: T.bool, default: false, extension: true, doc: 'Drop Access-Requests that carry Proxy-State but no Message-Authenticator.' },
  { key: 'api_version', field: 'apiVersion', type: { kind: 'int-enum', values: [1, 2] }, default: 1, extension: true, doc: "1 = legacy /rest/v1 endpoints with signature v1, as Duo's proxy; 2 = Auth API v2." },
  { key: 'api_signature_version', field: 'apiSignatureVersion', type: { kind: 'int-enum', values: [5, 2] }, default: 5, extension: true, doc: 'Request signature for api_version=2: 5 (HMAC-SHA512) or 2 (HMAC-SHA1).' },
  ...BRUTE_FORCE_OPTIONS,
];

const CONCAT_SPLIT_OPTIONS: readonly OptionSpec[] = [
  { key: 'delimiter', field: 'delimiter', type: T.string, default: ',', doc: 'Separator between password and factor (password,push).' },
  { key: 'delimited_password_length', field: 'delimitedPasswordLength', type: T.nonNegative, default: 0, doc: 'If > 0, split after this many characters instead of at the delimiter.' },
];

/** `[radius_server_auto]`. */
export const RADIUS_SERVER_AUTO_SPEC: SectionSpec = {
  type: 'radius_server_auto',
  logHeader: 'RADIUS Automatic Factor Server Module Configuration:',
  doc: 'Primary auth, then an automatic Duo factor (or one typed after the password).',
  aliases: { concat_mode: 'allow_concat' },
  options: [
    ...SERVER_COMMON_OPTIONS,
    { key: 'factors', field: 'factors', type: { kind: 'factors' }, default: ['auto'], doc: 'Comma list of auto, push, phone, passcode in order of preference.' },
    ...CONCAT_SPLIT_OPTIONS,
    { key: 'allow_concat', field: 'allowConcat', type: T.bool, default: true, doc: 'Accept "password,factor" logins (old name: concat_mode).' },
  ],
};

/** `[radius_server_challenge]`. */
export const RADIUS_SERVER_CHALLENGE_SPEC: SectionSpec = {
  type: 'radius_server_challenge',
  logHeader: 'RADIUS Challenge Server Module Configuration:',
  doc: 'Primary auth, then an Access-Challenge listing the Duo factors.',
  options: [
    ...SERVER_COMMON_OPTIONS,
    { key: 'prompt_format', field: 'promptFormat', type: { kind: 'enum', values: ['console', 'html', 'short'] }, default: 'console', doc: 'Challenge text: console (Duo prompt), html (<br>-joined) or short.' },
    { key: 'enroll_challenge', field: 'enrollChallenge', type: T.bool, default: true, doc: 'Answer unenrolled users with a challenge carrying the enrollment text.' },
  ],
};

/** `[radius_server_concat]`. */
export const RADIUS_SERVER_CONCAT_SPEC: SectionSpec = {
  type: 'radius_server_concat',
  logHeader: 'RADIUS Concat Server Module Configuration:',
  doc: 'Every login must be "password<delimiter>factor".',
  aliases: { delimeter: 'delimiter' },
  options: [...SERVER_COMMON_OPTIONS, ...CONCAT_SPLIT_OPTIONS],
};

/** `[radius_server_duo_only]`. */
export const RADIUS_SERVER_DUO_ONLY_SPEC: SectionSpec = {
  type: 'radius_server_duo_only',
  logHeader: 'RADIUS Duo-Only Server Module Configuration:',
  doc: 'No primary auth: the whole password is the Duo factor or passcode.',
  // No client at all: a `client` key here is reported as having no effect (spec §5.9).
  options: SERVER_COMMON_OPTIONS.filter((o) => o.key !== 'client'),
};
