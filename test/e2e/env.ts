/**
 * An end-to-end environment: the real proxy (runProxy, real UDP) with a real primary (slapd or
 * FreeRADIUS) and the project's fake Duo API over real HTTPS with a test CA, plus a test NAS.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkReply } from '../../src/radius/access-request.js';
import { Attr, firstValue } from '../../src/radius/dictionary.js';
import type { ParsedPacket } from '../../src/radius/packet.js';
import type { RadiusAttribute } from '../../src/radius/types.js';
import { flushAllRotatingFiles } from '../../src/log/rotating-file.js';
import { runProxy, type RunningProxy } from '../../src/server/run.js';
import { startFakeDuoApi, type FakeDuoApi, duoSectionLines } from '../fakes/duo-api/index.js';
import { freeUdpPort } from '../harness/common.js';
import { archiveLogs, registerSecrets } from '../support/log-archive.js';
import { TestNas, papRequest } from '../support/udp-client.js';

/** The NAS shared secret used by e2e configs. */
export const NAS_SECRET = 'nas-secret;#=:';

/** A decoded reply. */
export interface Reply {
  readonly code: number;
  readonly message: string | undefined;
  readonly packet: ParsedPacket;
  readonly raw: Buffer;
}

/** A running e2e environment. */
export interface E2e {
  readonly duo: FakeDuoApi;
  readonly proxy: RunningProxy;
  readonly nas: TestNas;
  readonly port: number;
  readonly dir: string;
  /** Sends a PAP login and waits for the reply (undefined = no reply in `timeoutMs`). */
  login(user: string, password: string, opts?: { identifier?: number; extra?: RadiusAttribute[]; timeoutMs?: number }): Promise<Reply | undefined>;
  /** Decodes and verifies a reply to `request`. */
  decode(raw: Buffer, request: Buffer): Reply;
  authLog(): string;
  events(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

let nextId = 1;

/** Passwords the e2e tests type (harness users); they must never reach a log. */
const E2E_PASSWORDS = ['alicepw', 'bobpw', 'adminpw', 'alicepw,123456'];

/** `secret=` / `service_account_password=` values of a client section. */
function secretValues(section: string): string[] {
  return [...section.matchAll(/^(?:secret|service_account_password)\s*=\s*(.+)$/gm)].map((m) => m[1]!.trim());
}

/** Starts the fake Duo API and the proxy with `[main]` + the given client and server sections. */
export async function startE2e(opts: {
  clientSection: string;
  serverOptions?: string;
  serverType?: string;
  duo?: FakeDuoApi;
  mainOptions?: string;
}): Promise<E2e> {
  const dir = mkdtempSync(join(tmpdir(), 'authproxy-e2e-'));
  const duo = opts.duo ?? (await startFakeDuoApi());
  const port = await freeUdpPort();
  const cfg = `[main]
http_ca_certs_file=${duo.caCertPath}
log_dir=${dir}/log
log_file=true
log_auth_events=true
${opts.mainOptions ?? ''}

${opts.clientSection}

[${opts.serverType ?? 'radius_server_auto'}]
${duoSectionLines(duo)}
radius_ip_1=127.0.0.1
radius_secret_1=${NAS_SECRET}
interface=127.0.0.1
port=${port}
${opts.serverOptions ?? ''}
`;
  writeFileSync(join(dir, 'authproxy.cfg'), cfg);
  const proxy = await runProxy({ configPath: join(dir, 'authproxy.cfg'), installDir: dir });
  registerSecrets(NAS_SECRET, duo.skey, ...E2E_PASSWORDS, ...secretValues(opts.clientSection));
  const nas = await TestNas.open();
  const decode = (raw: Buffer, request: Buffer): Reply => {
    const r = checkReply(raw, { identifier: request[1]!, authenticator: request.subarray(4, 20) }, Buffer.from(NAS_SECRET), true);
    if (!r.ok) throw new Error(`bad reply: ${r.reason}`);
    if (r.packet.attributes[0]?.type !== Attr.MessageAuthenticator) throw new Error('Message-Authenticator is not first');
    const parts = r.packet.attributes.filter((a) => a.type === Attr.ReplyMessage);
    const message = parts.length ? Buffer.concat(parts.map((a) => a.value)).toString('utf8') : undefined;
    return { code: r.packet.code, message, packet: r.packet, raw };
  };
  return {
    duo, proxy, nas, port, dir, decode,
    async login(user, password, o = {}) {
      const identifier = o.identifier ?? nextId++ % 256;
      const req = papRequest({ user, password, secret: NAS_SECRET, identifier, extra: o.extra ?? [] });
      nas.send(req, port);
      const raw = await nas.next(o.timeoutMs ?? 10_000);
      return raw ? decode(raw, req) : undefined;
    },
    authLog: () => {
      flushAllRotatingFiles(); // log files are written in batches; the test reads them now
      return readFileSync(join(dir, 'log', 'authproxy.log'), 'utf8');
    },
    events: () => {
      flushAllRotatingFiles();
      try {
        return readFileSync(join(dir, 'log', 'authevents.log'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      } catch {
        return [];
      }
    },
    async close() {
      await nas.close();
      await proxy.stop(0);
      archiveLogs(join(dir, 'log'));
      if (!opts.duo) await duo.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The State attribute of a reply. */
export function stateOf(r: Reply): Buffer | undefined {
  return firstValue(r.packet.attributes, Attr.State);
}

/** An `[ad_client]` section for the harness slapd (uid, plain bind as the admin). */
export function slapdClientSection(s: { host: string; port: number; adminDn: string; adminPw: string; baseDn: string }): string {
  return `[ad_client]
host=${s.host}
port=${s.port}
service_account_username=${s.adminDn}
service_account_password=${s.adminPw}
search_dn=${s.baseDn}
username_attribute=uid
auth_type=plain
timeout=3`;
}

/** A `[radius_client]` section for the harness FreeRADIUS. */
export function radiusClientSection(r: { host: string; port: number; secret: string }, extra = ''): string {
  return `[radius_client]
host=${r.host}
port=${r.port}
secret=${r.secret}
retry_wait=1
${extra}`;
}
