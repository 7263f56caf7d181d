/**
 * The config and the NAS side shared by the process-level CLI tests: a `[duo_only_client]` +
 * `[radius_server_auto]` listening on a free 127.0.0.1 port, the Duo API being the project's
 * fake over HTTPS with its test CA.
 */
import { duoSectionLines } from '../fakes/duo-api/index.js';
import { checkReply } from '../../src/radius/access-request.js';
import type { FakeDuoApi } from '../fakes/duo-api/index.js';
import { registerSecrets } from '../support/log-archive.js';
import { TestNas, papRequest } from '../support/udp-client.js';

/** The NAS shared secret of these configs (a secret: must never reach a log). */
export const NAS_SECRET = 'cli-nas-secret-7d1e';
/** A user password sent in logins (must never reach a log). */
export const USER_PASSWORD = 'alice-pw-Q9x!';

/** `[main]` + `[duo_only_client]` + `[radius_server_auto]` for the fake Duo API. */
export function proxyConfig(opts: { duo: FakeDuoApi; port: number; main?: string; server?: string }): string {
  registerSecrets(NAS_SECRET, USER_PASSWORD, opts.duo.skey);
  return `[main]
http_ca_certs_file=${opts.duo.caCertPath}
${opts.main ?? ''}

[duo_only_client]

[radius_server_auto]
${duoSectionLines(opts.duo)}
radius_ip_1=127.0.0.1
radius_secret_1=${NAS_SECRET}
interface=127.0.0.1
port=${opts.port}
client=duo_only_client
${opts.server ?? ''}
`;
}

let nextId = 1;

/** Sends one PAP login and returns the reply code (undefined: no reply within `timeoutMs`). */
export async function login(nas: TestNas, port: number, user: string, timeoutMs = 5000): Promise<number | undefined> {
  const identifier = nextId++ % 256;
  const req = papRequest({ user, password: USER_PASSWORD, secret: NAS_SECRET, identifier });
  nas.send(req, port);
  const raw = await nas.next(timeoutMs);
  if (!raw) return undefined;
  const r = checkReply(raw, { identifier, authenticator: req.subarray(4, 20) }, Buffer.from(NAS_SECRET), true);
  if (!r.ok) throw new Error(`bad reply: ${r.reason}`);
  return r.packet.code;
}
