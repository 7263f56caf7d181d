/**
 * Starting and stopping the push simulator: the integration and TLS material from the state dir,
 * the HTTPS Duo API, and the plain-HTTP web page, both bound to `host` (127.0.0.1 by default).
 */
import type { Server } from 'node:net';
import { join } from 'node:path';
import { AuthproxyError } from '../errors.js';
import { createApiServer } from './api-server.js';
import { INTEGRATION_FILE, loadOrCreateIntegration } from './credentials.js';
import { DuoEndpoints } from './duo-api.js';
import { SimulatorState } from './state.js';
import { certificateHosts, loadOrCreateTls } from './tls.js';
import { createWebServer } from './web-server.js';

/** How to run the simulator. */
export interface SimulatorOptions {
  /** Keeps integration.json, ca.crt/ca.key and server.crt/server.key (created when missing). */
  readonly stateDir: string;
  /** Bind address of both servers (default 127.0.0.1). */
  readonly host?: string;
  /** HTTPS Duo API port (default 0 = any free port). */
  readonly port?: number;
  /** Plain-HTTP web page port (default 0 = any free port). */
  readonly webPort?: number;
  /** Unanswered pushes end as `timeout` after this long (ms, default 60000). */
  readonly pushTimeoutMs?: number;
  /** Longest wait of one `/auth/v2/auth_status` long poll (ms, default 5000). */
  readonly longPollMs?: number;
  /** Receives one line per API request and page answer (default: discarded). */
  readonly log?: (line: string) => void;
}

/** A running simulator. */
export interface RunningSimulator {
  readonly host: string;
  /** What to put in `api_host` (the bind address, or 127.0.0.1 for a wildcard bind). */
  readonly apiHost: string;
  readonly apiPort: number;
  readonly webPort: number;
  /** `https://<apiHost>:<apiPort>`. */
  readonly apiUrl: string;
  /** `http://<apiHost>:<webPort>/`. */
  readonly webUrl: string;
  readonly ikey: string;
  /** The secret key; for writing a config file only, never for logs. */
  readonly skey: string;
  /** The simulator's CA (`[main] http_ca_certs_file`). */
  readonly caCertPath: string;
  /** The file holding ikey and skey. */
  readonly integrationFile: string;
  readonly state: SimulatorState;
  /** Cancels pending pushes and closes both servers. */
  close(): Promise<void>;
}

/** Starts the simulator; throws `AP_ERR_SIMULATOR_SETUP` when keys, certificates or ports fail. */
export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const apiHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const log = opts.log ?? ((): void => undefined);
  const integration = loadOrCreateIntegration(opts.stateDir);
  const tls = loadOrCreateTls(opts.stateDir, certificateHosts(host));
  const state = new SimulatorState({ ...(opts.pushTimeoutMs === undefined ? {} : { pushTimeoutMs: opts.pushTimeoutMs }) });
  const endpoints = new DuoEndpoints(state, { ...(opts.longPollMs === undefined ? {} : { longPollMs: opts.longPollMs }) });
  const integrationFile = join(opts.stateDir, INTEGRATION_FILE);
  const ports = { api: 0 };
  const api = createApiServer({ tls, integration, endpoints, log });
  const web = createWebServer({
    state,
    hostNames: [host],
    log,
    integration: () => ({ ikey: integration.ikey, apiHost, apiPort: ports.api, caCertPath: tls.caCertPath, integrationFile }),
  });
  ports.api = await listen(api, opts.port ?? 0, host, 'Duo API');
  let webPort: number;
  try {
    webPort = await listen(web, opts.webPort ?? 0, host, 'web page');
  } catch (err) {
    await closeServer(api);
    throw err;
  }
  const urlHost = apiHost.includes(':') ? `[${apiHost}]` : apiHost;
  return {
    host, apiHost, apiPort: ports.api, webPort, ikey: integration.ikey, skey: integration.skey, caCertPath: tls.caCertPath, integrationFile, state,
    apiUrl: `https://${urlHost}:${ports.api}`,
    webUrl: `http://${urlHost}:${webPort}/`,
    async close() {
      state.close();
      await Promise.all([closeServer(api), closeServer(web)]);
    },
  };
}

function listen(server: Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const why = err.code === 'EADDRINUSE' ? 'is in use' : `cannot be bound (${err.code ?? err.message})`;
      reject(new AuthproxyError('AP_ERR_SIMULATOR_SETUP', `the simulator's ${what} port ${port} on ${host} ${why}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

function closeServer(server: Server & { closeAllConnections?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
