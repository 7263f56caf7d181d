/** `[main]` options (spec §1.8). */
import { T, type SectionSpec } from '../schema.js';

/** syslog facilities accepted by `syslog_facility` (case-sensitive, spec §1.8). */
export const SYSLOG_FACILITIES = [
  'LOG_KERN', 'LOG_USER', 'LOG_MAIL', 'LOG_DAEMON', 'LOG_AUTH', 'LOG_LPR', 'LOG_NEWS', 'LOG_UUCP',
  'LOG_CRON', 'LOG_SYSLOG', 'LOG_LOCAL0', 'LOG_LOCAL1', 'LOG_LOCAL2', 'LOG_LOCAL3', 'LOG_LOCAL4',
  'LOG_LOCAL5', 'LOG_LOCAL6', 'LOG_LOCAL7',
] as const;

/** The `[main]` table. */
export const MAIN_SPEC: SectionSpec = {
  type: 'main',
  logHeader: 'Main Configuration:',
  doc: 'Process-wide settings: logging, the Duo API HTTPS client, default client and interface.',
  options: [
    { key: 'debug', field: 'debug', type: T.bool, default: false, doc: 'Extra logging (packet dumps, HTTP bodies with passcodes masked); also turns on debug in every section.' },
    { key: 'log_dir', field: 'logDir', type: T.string, default: 'log', doc: 'Directory for authproxy.log and authevents.log, relative to the install directory.' },
    { key: 'log_max_size', field: 'logMaxSize', type: T.nonNegative, default: 10485760, doc: 'Rotate a log file when it reaches this many bytes.' },
    { key: 'log_max_files', field: 'logMaxFiles', type: T.nonNegative, default: 6, doc: 'Rotated copies to keep (.1 … .N); 0 = unlimited.' },
    { key: 'log_file', field: 'logFile', type: T.bool, default: false, doc: 'Log to files (also used whenever log_file, log_stdout and log_syslog are all false).' },
    { key: 'log_stdout', field: 'logStdout', type: T.bool, default: false, doc: 'Write the main log (not auth events) to stdout.' },
    { key: 'log_syslog', field: 'logSyslog', type: T.bool, default: false, doc: 'Write the main log (not auth events) to syslog with ident Authproxy.' },
    { key: 'syslog_facility', field: 'syslogFacility', type: { kind: 'enum', values: SYSLOG_FACILITIES, caseSensitive: true }, default: 'LOG_USER', doc: 'syslog facility: LOG_KERN, LOG_USER, LOG_MAIL, LOG_DAEMON, LOG_AUTH, LOG_LPR, LOG_NEWS, LOG_UUCP, LOG_CRON, LOG_SYSLOG or LOG_LOCAL0..7 (case-sensitive).' },
    { key: 'log_auth_events', field: 'logAuthEvents', type: T.bool, default: false, doc: 'Write one JSON line per authentication event to authevents.log (file logging only).' },
    { key: 'log_sso_events', field: 'logSsoEvents', type: T.bool, default: true, doc: 'Write SSO events to ssoevents.log (no effect on RADIUS).' },
    { key: 'http_ca_certs_file', field: 'httpCaCertsFile', type: T.string, default: 'conf/ca-bundle.crt', doc: 'PEM bundle that must sign the Duo API certificate; relative names resolve under conf/.' },
    { key: 'http_proxy_host', field: 'httpProxyHost', type: T.string, defaultDoc: '(none)', example: 'proxy.example.com', doc: 'Send Duo API traffic through this HTTP CONNECT proxy.' },
    { key: 'http_proxy_port', field: 'httpProxyPort', type: T.port, default: 80, doc: 'Port of the HTTP CONNECT proxy.' },
    { key: 'interface', field: 'interface', type: { kind: 'ip', allowEmpty: true }, default: '', doc: 'Default bind address of the server sections; empty = all IPv4 addresses.' },
    { key: 'client', field: 'client', type: { kind: 'section-name' }, defaultDoc: '(none)', example: 'ad_client', doc: 'Default client section for server sections that name none.' },
    { key: 'server', field: 'server', type: { kind: 'section-name' }, defaultDoc: '(none)', example: 'radius_server_auto', doc: 'With client: force that client onto this one server section.' },
    { key: 'test_connectivity_on_startup', field: 'testConnectivityOnStartup', type: T.bool, default: false, doc: 'Run the full connectivity test (network checks) at start instead of config validation only.' },
    { key: 'metrics_port', field: 'metricsPort', type: { kind: 'int', min: 0, max: 65535 }, default: 0, doc: 'Extension: serve Prometheus metrics and /health over HTTP on this TCP port; 0 = off.' },
    { key: 'metrics_interface', field: 'metricsInterface', type: { kind: 'ip', allowEmpty: false }, default: '127.0.0.1', doc: 'Extension: address the metrics endpoint listens on (keep it on loopback or a management network).' },
    { key: 'fips_mode', field: 'fipsMode', type: T.bool, default: false, doc: 'Accepted for compatibility; FIPS mode is not supported by this proxy (a warning is logged when true).' },
  ],
};
