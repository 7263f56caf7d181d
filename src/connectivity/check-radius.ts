/**
 * Connectivity check of a `[radius_client]` section (spec §8.2): to each host, one Status-Server
 * (RFC 5997) carrying Message-Authenticator (mandatory there, RFC 5997 §3) and NAS-IP-Address,
 * signed with the section's secret, waiting 2 s. Any reply that passes the client's checks
 * (Response Authenticator, Message-Authenticator, source address) proves the server is reachable
 * and shares the secret, whatever its code: FreeRADIUS answers Status-Server with Access-Accept,
 * and only when `status_server = yes`. Silence cannot be told apart from a server that ignores
 * Status-Server, hence "We cannot confirm …" as a warning, not an error.
 */
import type { RadiusClientSection } from '../config/types.js';
import { hasCode } from '../errors.js';
import { nullLogger } from '../log/logger.js';
import { defaultNasIp } from '../primary/radius-client.js';
import { nasIpAttribute } from '../primary/radius-client-request.js';
import { UpstreamClient, type UpstreamHost } from '../radius/upstream.js';
import { error, info, warn, type CheckLine } from './report.js';

/** Status-Server code (RFC 5997 §2). */
const STATUS_SERVER = 12;
/** Spec §8.2: 2 s timeout, one transmission. */
export const STATUS_SERVER_WAIT_MS = 2000;

/** Checks every host of the section in parallel; lines come back in host order. */
export async function checkRadiusClient(section: RadiusClientSection, waitMs = STATUS_SERVER_WAIT_MS): Promise<CheckLine[]> {
  const nasIp = section.nasIp ?? (await defaultNasIp());
  const results = await Promise.all(section.hosts.map((h) => checkHost(section, h, nasIp, waitMs)));
  return results;
}

async function checkHost(section: RadiusClientSection, host: UpstreamHost, nasIp: string, waitMs: number): Promise<CheckLine> {
  const where = `${host.host}:${host.port}`;
  let client: UpstreamClient;
  try {
    client = new UpstreamClient({ hosts: [host], secret: Buffer.from(section.secret, 'utf8'), retries: 0, retryWaitMs: waitMs, log: nullLogger });
    await client.start();
  } catch (err) {
    return error(`The Auth Proxy could not send to ${where} (${err instanceof Error ? err.message : String(err)}). Check host and port.`);
  }
  try {
    await client.exchange({ attributes: [nasIpAttribute(nasIp)], code: STATUS_SERVER });
    return info(`The Auth Proxy was able to establish a RADIUS connection to ${where}.`);
  } catch (err) {
    if (hasCode(err, 'AP_ERR_RADIUS_TIMEOUT')) {
      return warn(
        `We cannot confirm that the Auth Proxy can establish a RADIUS connection to ${where}: no valid answer to a Status-Server request within ${waitMs / 1000} s. ` +
          'Check host, port, secret and firewalls; servers that do not answer Status-Server (FreeRADIUS without status_server = yes) always show this.',
      );
    }
    return error(`The Auth Proxy could not send a Status-Server request to ${where} (${err instanceof Error ? err.message : String(err)}).`);
  } finally {
    await client.close();
  }
}
