/**
 * Types of the fake Duo Auth API used by the tests (and by the push simulator): per-user
 * scenarios, outage modes, and the record of every call.
 */

/** A device of a user, in Auth API v2 terms (spec §6.3). */
export interface FakeDevice {
  /** Device id, e.g. `DPFZRS9FB0D46QFTM891`. */
  readonly device: string;
  readonly type?: 'phone' | 'token';
  /** Shown in prompts, e.g. `XXX-XXX-1234`. */
  readonly number?: string;
  readonly name?: string;
  readonly capabilities: readonly ('auto' | 'push' | 'sms' | 'phone' | 'mobile_otp')[];
}

/** How an out-of-band factor (push, phone call) ends. */
export interface FakeAnswer {
  readonly result: 'allow' | 'deny';
  /** Time from the auth request to the user's answer (ms, default 0). */
  readonly afterMs?: number;
  /** Overrides the status text. */
  readonly status?: string;
}

/** What Duo knows about a user. */
export type UserScenario =
  /** Preauth `allow` (bypass user); auth answers allow too. */
  | { readonly kind: 'allow'; readonly status?: string; readonly groups?: readonly string[] }
  /** Preauth `deny`. */
  | { readonly kind: 'deny'; readonly status?: string; readonly groups?: readonly string[] }
  /** Preauth `enroll` with an enrollment link. */
  | { readonly kind: 'enroll'; readonly status?: string; readonly enrollUrl?: string }
  /** Preauth `auth` with devices; auth outcome per factor. */
  | {
      readonly kind: 'auth';
      readonly devices: readonly FakeDevice[];
      /** Push outcome (default approve at once). */
      readonly push?: FakeAnswer;
      /** Phone-call outcome (default approve at once). */
      readonly phone?: FakeAnswer;
      /** Valid passcodes (reusable). */
      readonly passcodes?: readonly string[];
      readonly groups?: readonly string[];
      readonly status?: string;
    };

/** The endpoints an outage can target; `auth` covers `/auth` and `/auth_status`. */
export type FakeEndpoint = 'preauth' | 'auth' | 'auth_status' | 'ping' | 'check';

/**
 * A failure the fake can play:
 * - `refuse`: with `'all'` the listener closes (connection refused); per endpoint like `reset`
 * - `reset`: the socket is destroyed when the request arrives (no HTTP answer)
 * - `hang`: the request is never answered
 * - `http500`: 500 with an HTML body; `http503`: 503 JSON `FAIL`
 * - `http400`, `http401` (40103 bad signature), `http429` (rate limit): JSON `FAIL`
 * - `malformed-json`: 200 with a truncated JSON body
 * - `wrong-stat`: 200 with `stat` neither OK nor FAIL
 * - `missing-fields`: 200 `stat: OK` whose `response` lacks the fields the endpoint needs
 * - `empty-response`: 200 `stat: OK` with `response: {}`
 * - `fail-200`: 200 with `stat: FAIL`
 */
export type OutageMode =
  | 'refuse'
  | 'reset'
  | 'hang'
  | 'http500'
  | 'http503'
  | 'http400'
  | 'http401'
  | 'http429'
  | 'malformed-json'
  | 'wrong-stat'
  | 'missing-fields'
  | 'empty-response'
  | 'fail-200';

/** How the request's signature checked out. */
export type SignatureVerdict = 'v1' | 'v2-sha1' | 'v2-sha512' | 'v4' | 'v5' | 'none' | 'bad' | 'unknown-ikey';

/** One request as the fake saw it. */
export interface Call {
  readonly method: string;
  /** Path without query. */
  readonly path: string;
  readonly endpoint: FakeEndpoint | undefined;
  /** Form, JSON (values as strings) or query parameters. */
  readonly params: Readonly<Record<string, string>>;
  /** Raw body text. */
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** `Date.now()` when the request arrived. */
  readonly arrivedAt: number;
  /** Number of the TCP connection (1, 2, …) it came on. */
  readonly connection: number;
  readonly signature: SignatureVerdict;
}

/** Options of {@link startFakeDuoApi}. */
export interface FakeDuoApiOptions {
  /** Directory for the generated test CA (default: a fresh temp dir, removed on close). */
  readonly dir?: string;
  /** Names the certificate is valid for (default `['127.0.0.1', 'localhost']`). */
  readonly certHosts?: readonly string[];
  /** Host used to check signatures (default: the request's Host header without port, lower-cased). */
  readonly signedHost?: string;
  /** Integrations accepted (default one random ikey/skey pair). */
  readonly integrations?: readonly { readonly ikey: string; readonly skey: string }[];
  /** Scenario for users without one (default enroll). */
  readonly defaultScenario?: UserScenario;
  /** Longest wait of an `auth_status` long poll (ms, default 1000). */
  readonly longPollMs?: number;
  /** Reject v2/v5 requests whose Date is further off than this (s; default: no check). */
  readonly maxSkewSec?: number;
}

/** A running fake. */
export interface FakeDuoApi {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly caCertPem: string;
  readonly caCertPath: string;
  /** Credentials of the first integration. */
  readonly ikey: string;
  readonly skey: string;
  /** Every request received, in arrival order. */
  readonly calls: Call[];
  /** Number of TLS sessions established (`secureConnection` events). */
  readonly tlsConnections: number;
  setUser(name: string, scenario: UserScenario): void;
  /** Plays `mode` on `endpoint` (or every endpoint); `null` restores normal service. */
  setOutage(endpoint: FakeEndpoint | 'all', mode: OutageMode | null): Promise<void>;
  /** Forgets users, outages and calls (not integrations, not the connection count). */
  reset(): Promise<void>;
  close(): Promise<void>;
}
