/**
 * HTTPS to the Duo API host on undici (spec §6.1 "Request shape"): one keep-alive connection
 * pool per API host (./pool.ts; shared by every client with the same host, CA and proxy, so a
 * login reuses an idle TLS connection instead of paying a handshake), the certificate chain
 * checked against the configured CA bundle and the name against `api_host`, TLS ≥ 1.2
 * (security.md), optional HTTP CONNECT proxy.
 * Failures without an HTTP answer become {@link DuoApiError}s of class transport/timeout.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { AuthproxyError } from '../errors.js';
import type { CallScope } from './call-scope.js';
import { DuoApiError } from './errors.js';
import type { DuoStage } from './errors.js';
import { MALFORMED } from './parse.js';
import { ConnectionPool } from './pool.js';
import type { PoolAnswer } from './pool.js';

/** Largest answer body accepted; Duo's answers are a few kB. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** Where and how to connect. */
export interface TransportOptions {
  readonly apiHost: string;
  readonly apiPort: number;
  /** PEM text, or the path of a PEM file (`[main] http_ca_certs_file`). */
  readonly caCerts: string;
  readonly httpProxy?: { readonly host: string; readonly port: number } | undefined;
  /** Sent on requests and on the proxy CONNECT. */
  readonly userAgent: string;
  /** TCP+TLS connect limit in ms (default undici's 10 s). */
  readonly connectTimeoutMs?: number | undefined;
}

/** One HTTP exchange. `path` includes any query string. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** An HTTP answer of any status. */
export type HttpAnswer = PoolAnswer;

/**
 * Reads the CA bundle: PEM text is used as is, anything else is a file path. A bundle without a
 * certificate is refused (Duo would silently stop verifying; we never do).
 */
export function loadCaCerts(caCerts: string): string[] {
  let pem = caCerts;
  if (!caCerts.includes('-----BEGIN')) {
    try {
      pem = readFileSync(caCerts, 'utf8');
    } catch (err) {
      throw new AuthproxyError('AP_ERR_CONFIG_UNREADABLE', `cannot read CA bundle '${caCerts}'`, { cause: err });
    }
  }
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (certs.length === 0) {
    const where = caCerts.includes('-----BEGIN') ? 'the CA bundle' : `CA bundle '${caCerts}'`;
    throw new AuthproxyError('AP_ERR_CONFIG_INVALID', `${where} holds no certificate`);
  }
  return certs;
}

/** `https://host:port`, the port always spelled out (spec §6.1). */
export function originOf(host: string, port: number): string {
  return `https://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

interface Shared {
  pool: ConnectionPool;
  users: number;
}
const pools = new Map<string, Shared>();

function buildPool(opts: TransportOptions, origin: string, ca: string[]): ConnectionPool {
  const tls = {
    ca,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2' as const,
    ...(isIP(opts.apiHost) ? {} : { servername: opts.apiHost }),
    ...(opts.connectTimeoutMs ? { timeout: opts.connectTimeoutMs } : {}),
  };
  return new ConnectionPool({ origin, tls, httpProxy: opts.httpProxy, userAgent: opts.userAgent, maxResponseSize: MAX_RESPONSE_BYTES });
}

/** The HTTPS side of a Duo client. */
export class DuoTransport {
  /** `https://<api_host>:<api_port>`. */
  readonly origin: string;
  private readonly key: string;
  private readonly shared: Shared;
  private closed = false;

  constructor(opts: TransportOptions) {
    const ca = loadCaCerts(opts.caCerts);
    this.origin = originOf(opts.apiHost, opts.apiPort);
    const caHash = createHash('sha256').update(ca.join('\n')).digest('hex');
    this.key = JSON.stringify([this.origin, caHash, opts.httpProxy ?? null, opts.connectTimeoutMs ?? null, opts.userAgent]);
    let shared = pools.get(this.key);
    if (!shared) {
      shared = { pool: buildPool(opts, this.origin, ca), users: 0 };
      pools.set(this.key, shared);
    }
    shared.users += 1;
    this.shared = shared;
  }

  /** Sends one request; any HTTP status resolves, no HTTP answer rejects with a DuoApiError. */
  async request(req: HttpRequest, scope: CallScope, stage: DuoStage): Promise<HttpAnswer> {
    try {
      return await this.shared.pool.request({
        path: req.path,
        method: req.method,
        headers: req.headers,
        body: req.body ?? null,
        signal: scope.signal,
      });
    } catch (err) {
      throw classifyError(err, scope, stage);
    }
  }

  /** Releases this client's share of the pool; the last user closes it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.shared.users -= 1;
    if (this.shared.users > 0) return;
    pools.delete(this.key);
    await this.shared.pool.close();
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Text of a low-level error: its code and message (never request data, so no secrets). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = errorCode(err);
  return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}

/** Maps a failure without an HTTP answer onto the failmode classes (spec §6.1 step 5). */
export function classifyError(err: unknown, scope: CallScope, stage: DuoStage): DuoApiError {
  if (err instanceof DuoApiError) return err;
  if (scope.timedOut || TIMEOUT_CODES.has(errorCode(err) ?? '')) {
    const after = scope.timeoutSec > 0 ? ` after ${scope.timeoutSec} seconds` : '';
    return new DuoApiError(`API request timed out${after}`, { failure: 'timeout', stage, cause: err });
  }
  if (scope.callerAborted) return new DuoApiError('API request aborted', { failure: 'local', stage, cause: err });
  if (errorCode(err) === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    return new DuoApiError(MALFORMED, { failure: 'malformed', stage, cause: err });
  }
  return new DuoApiError(`API request failed: ${describe(err)}`, { failure: 'transport', stage, cause: err });
}
