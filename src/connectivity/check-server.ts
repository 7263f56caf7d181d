/**
 * Connectivity checks of a server section (spec §6.4, §8.2): `GET /auth/v2/ping` (latency),
 * the clock drift against Duo's time (a problem at 60 s or more), `GET /auth/v2/check` signed
 * with the section's ikey/skey (a 401 means wrong keys), and a trial UDP bind of the section's
 * port and interface — skipped with a note when the running proxy holds it.
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Config, ServerSection } from '../config/types.js';
import { DuoApiError, DuoClient } from '../duo/index.js';
import { nullLogger } from '../log/logger.js';
import { nullAuthEvents } from '../proxy/auth-events.js';
import { loadCaBundle } from '../server/build.js';
import { VERSION } from '../server/version.js';
import { error, info, type CheckLine } from './report.js';

/** Spec §6.4: the tool's Duo calls time out after 10 s. */
const DUO_TIMEOUT_SEC = 10;
/** Spec §6.4: drift of 60 s or more is a problem. */
export const MAX_DRIFT_SEC = 60;

/** What the server checks need besides the section. */
export interface ServerCheckContext {
  readonly config: Config;
  readonly installDir: string;
  /** Pid of the running proxy, if any (its ports are in use by design). */
  readonly runningPid: number | undefined;
}

/** Runs the Duo checks, then the listen check. */
export async function checkServerSection(section: ServerSection, ctx: ServerCheckContext): Promise<CheckLine[]> {
  return [...(await checkDuo(section, ctx)), await checkListen(section, ctx.runningPid)];
}

async function checkDuo(section: ServerSection, ctx: ServerCheckContext): Promise<CheckLine[]> {
  const where = `${section.apiHost}:${section.apiPort}`;
  let duo: DuoClient;
  try {
    const m = ctx.config.main;
    duo = new DuoClient({
      ikey: section.ikey, skey: section.skey, apiHost: section.apiHost, apiPort: section.apiPort,
      apiTimeoutSec: DUO_TIMEOUT_SEC, caCerts: loadCaBundle({ config: ctx.config, installDir: ctx.installDir, log: nullLogger, events: nullAuthEvents, version: VERSION }),
      httpProxy: m.httpProxyHost ? { host: m.httpProxyHost, port: m.httpProxyPort } : undefined,
      apiVersion: section.apiVersion, signatureVersion: section.apiSignatureVersion,
      userAgent: `authproxy connectivity tool/${VERSION} (${process.platform})`, log: nullLogger,
    });
  } catch (err) {
    return [error(`The Duo API checks were not run: the CA certificate bundle could not be used (${err instanceof Error ? err.message : String(err)}). Fix http_ca_certs_file in [main].`)];
  }
  try {
    const ping = await pingAndDrift(duo, where);
    if (ping.length === 1) return ping;
    return [...ping, await checkKeys(duo)];
  } finally {
    await duo.close();
  }
}

async function pingAndDrift(duo: DuoClient, where: string): Promise<CheckLine[]> {
  const sent = Date.now();
  let duoTime: number;
  try {
    duoTime = (await duo.ping({ timeoutSec: DUO_TIMEOUT_SEC })).time;
  } catch (err) {
    return [error(`The Auth Proxy could not reach the Duo API at ${where} (${describe(err)}). Check api_host and api_port, outbound HTTPS (and http_proxy_host), and http_ca_certs_file.`)];
  }
  const received = Date.now();
  const drift = Math.round(Math.abs(duoTime - (sent + received) / 2000));
  const lines = [info(`The Auth Proxy was able to reach the Duo API at ${where} (ping took ${received - sent} ms).`)];
  if (drift >= MAX_DRIFT_SEC) {
    lines.push(error(`The Auth Proxy's clock differs from Duo's by ${drift} seconds (${MAX_DRIFT_SEC} or more). Set the system time correctly, for example with NTP.`));
  } else {
    lines.push(info(`The Auth Proxy's clock is within ${Math.max(drift, 1)} second${drift > 1 ? 's' : ''} of Duo's.`));
  }
  return lines;
}

async function checkKeys(duo: DuoClient): Promise<CheckLine> {
  try {
    await duo.check({ timeoutSec: DUO_TIMEOUT_SEC });
    return info('The Auth Proxy was able to validate the ikey and skey of this section with Duo.');
  } catch (err) {
    if (err instanceof DuoApiError && err.httpStatus === 401) {
      return error(`Duo rejected the ikey or skey of this section (${err.message}). Copy ikey, skey and api_host from the application's page in the Duo Admin Panel.`);
    }
    return error(`The Auth Proxy could not validate the ikey and skey with Duo (${describe(err)}).`);
  }
}

/** A trial bind of the section's UDP port and interface (released at once). */
export async function checkListen(section: ServerSection, runningPid: number | undefined): Promise<CheckLine> {
  const host = section.interface === '' ? '0.0.0.0' : section.interface;
  const where = section.interface === '' ? 'all interfaces' : `interface ${section.interface}`;
  const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  const failure = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    socket.once('error', (err) => resolve(err));
    socket.bind({ address: host, port: section.port, exclusive: true }, () => resolve(undefined));
  });
  await new Promise<void>((r) => {
    try {
      socket.close(() => r());
    } catch {
      r(); // never bound
    }
  });
  if (!failure) return info(`The Auth Proxy will be able to accept connections on port ${section.port} on ${where}`);
  if (failure.code === 'EADDRINUSE' && runningPid !== undefined) {
    return info(`Port ${section.port} on ${where} is in use by the running Auth Proxy (pid ${runningPid}); the listen check was skipped.`);
  }
  return error(`The Auth Proxy cannot listen on port ${section.port} on ${where} (${failure.code ?? failure.message}). ${LISTEN_FIX[failure.code ?? ''] ?? 'Check port and interface.'}`);
}

const LISTEN_FIX: Readonly<Record<string, string>> = {
  EADDRINUSE: 'Another program is using this port: stop it or choose another port.',
  EACCES: 'Ports below 1024 need root or the CAP_NET_BIND_SERVICE capability.',
  EADDRNOTAVAIL: 'The interface value is not an address of this machine.',
};

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
