/**
 * The one error class of authproxy. Every error that leaves a module carries a stable `code`
 * (`AP_ERR_*`) that callers branch on — never the message text. Expected outcomes (bad password,
 * Duo deny) are values in result unions, not errors; errors are for bugs, bad input and
 * unavailable backends.
 *
 * The table of codes, their meaning and how to fix them is in README.md ("Error codes");
 * test/errors.test.ts keeps that table and {@link ERROR_CODES} in step.
 */
export class AuthproxyError extends Error {
  /** Stable machine-readable code, one of {@link ERROR_CODES}. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthproxyError';
    this.code = code;
  }
}

/** Every error code with a one-line meaning (the README table gives the fix). */
export const ERROR_CODES = {
  // --- configuration ---------------------------------------------------------------------
  AP_ERR_CONFIG_INVALID: 'the configuration file has errors; each is listed with file:line',
  AP_ERR_CONFIG_UNREADABLE: 'the configuration file is missing or unreadable',
  // --- RADIUS protocol ---------------------------------------------------------------------
  AP_ERR_RADIUS_ENCODE: 'a RADIUS reply could not be encoded',
  AP_ERR_RADIUS_TIMEOUT: 'an upstream RADIUS server did not answer in time',
  AP_ERR_RADIUS_BIND: 'a UDP listener could not be bound',
  AP_ERR_RADIUS_BUSY: 'all 256 upstream RADIUS Identifiers and the 256-entry wait queue are in use',
  AP_ERR_RADIUS_CANCELLED: 'an upstream RADIUS exchange was aborted or its client was closed',
  // --- primary authentication ----------------------------------------------------------------
  AP_ERR_LDAP_CA_FILE: 'the ssl_ca_certs_file of an [ad_client] section could not be read',
  // --- Duo Auth API --------------------------------------------------------------------------
  AP_ERR_DUO_TRANSPORT: 'the Duo API could not be reached (connect, TLS, reset)',
  AP_ERR_DUO_TIMEOUT: 'the Duo API did not answer within api_timeout',
  AP_ERR_DUO_HTTP_4XX: 'the Duo API refused the request (bad ikey/skey, signature, rate limit)',
  AP_ERR_DUO_HTTP_5XX: 'the Duo API answered with a server error',
  AP_ERR_DUO_FAIL: 'the Duo API answered stat FAIL',
  AP_ERR_DUO_MALFORMED: 'the Duo API answered with a body the proxy cannot use',
  AP_ERR_DUO_LOCAL: 'the request was refused locally before reaching Duo',
  // --- command line ----------------------------------------------------------------------------
  AP_ERR_SIMULATOR_SETUP: 'the push simulator could not start: keys, certificates (needs openssl) or a listening port',
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** True when `err` is an {@link AuthproxyError} with the given code. */
export function hasCode(err: unknown, code: ErrorCode): err is AuthproxyError {
  return err instanceof AuthproxyError && err.code === code;
}
