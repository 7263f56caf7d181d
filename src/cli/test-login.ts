/**
 * `authproxyctl test-login <user> <password> [--config FILE] [--secret S] [--host H] [--port N]
 * [--timeout 90]`: acts as a NAS and sends one PAP Access-Request (with Message-Authenticator
 * first), retransmitting the identical packet every 5 s as a NAS does while a push is pending, and
 * verifies the reply: Response Authenticator (RFC 2865 §3) and Message-Authenticator (RFC 3579
 * §3.2, required in replies: BlastRADIUS). Prints `Access-Accept` / `Access-Reject` /
 * `Access-Challenge` and the Reply-Message on stdout; exit 0 for Access-Accept, 1 otherwise
 * (66/78 for an unreadable/invalid --config, 2 for bad arguments). With `--config`, the port,
 * interface, first `radius_secret_N` and a local address inside its `radius_ip_N` come from the
 * first `radius_server_*` section; explicit options win.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { formatIssue } from '../config/issues.js';
import { loadConfig } from '../config/load.js';
import { networkContains } from '../util/ip.js';
import type { Config } from '../config/types.js';
import { hasCode } from '../errors.js';
import { checkReply, encodeAccessRequest, textAttribute } from '../radius/access-request.js';
import { Attr } from '../radius/dictionary.js';
import { Code } from '../radius/types.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_NOINPUT, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import type { CliContext } from './main.js';

/** Options of one test login. */
export interface TestLoginOptions {
  readonly user: string;
  readonly password: string;
  readonly config?: string | undefined;
  readonly secret?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  /** Give up after this many seconds (default 90). */
  readonly timeoutSec?: number | undefined;
  /** Retransmit the identical packet this often (s, default 5). */
  readonly retransmitSec?: number | undefined;
}

/** Where and how to send. */
export interface LoginTarget {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
  /** Local address to send from (inside `radius_ip_N`), or undefined for the OS's choice. */
  readonly source: string | undefined;
}

/** How a test login ended. */
export type LoginOutcome =
  | { readonly kind: 'reply'; readonly code: number; readonly replyMessage: string | undefined }
  | { readonly kind: 'timeout' };

const CODE_NAMES: Readonly<Record<number, string>> = {
  [Code.AccessAccept]: 'Access-Accept',
  [Code.AccessReject]: 'Access-Reject',
  [Code.AccessChallenge]: 'Access-Challenge',
};

/** Registers `test-login` on `program`. */
export function registerTestLoginCommand(program: Command, ctx: CliContext): void {
  program
    .command('test-login')
    .description('send one RADIUS PAP login to the proxy like a NAS and print the answer')
    .argument('<user>', 'User-Name')
    .argument('<password>', 'User-Password (with [duo_only_client] any text; "pw,123456" sends a passcode)')
    .option('--config <file>', 'take port, interface, secret and NAS address from this config')
    .option('--secret <secret>', 'RADIUS shared secret (default: the first radius_secret_N of --config)')
    .option('--host <address>', 'proxy address (default: the section interface, else 127.0.0.1)')
    .option('--port <port>', 'proxy UDP port (default: the section port, else 1812)', positiveInt)
    .option('--timeout <seconds>', 'give up after this many seconds', positiveInt, 90)
    .action(async (user: string, password: string, o: { config?: string; secret?: string; host?: string; port?: number; timeout: number }) => {
      ctx.setExitCode(await runTestLogin({ user, password, config: o.config, secret: o.secret, host: o.host, port: o.port, timeoutSec: o.timeout }, ctx));
    });
}

function positiveInt(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new InvalidArgumentError('must be a whole number 1-65535');
  return n;
}

/** Runs one test login and returns the exit code. */
export async function runTestLogin(opts: TestLoginOptions, ctx: CliContext): Promise<number> {
  if (Buffer.byteLength(opts.password, 'utf8') > 128) {
    ctx.err('test-login: the password is longer than 128 bytes (RFC 2865 §5.2)');
    return EXIT_USAGE;
  }
  const target = await resolveTarget(opts, ctx);
  if (typeof target === 'number') return target;
  if (target.source === undefined && opts.config !== undefined) ctx.err('test-login: no local address lies inside the first radius_ip_N; the proxy will probably ignore this request');
  const timeoutMs = (opts.timeoutSec ?? 90) * 1000;
  ctx.err(`Sending Access-Request for "${opts.user}" to ${target.host}:${target.port}${target.source ? ` from ${target.source}` : ''}; waiting up to ${timeoutMs / 1000} s (retransmitting every ${opts.retransmitSec ?? 5} s)...`);
  const outcome = await sendTestLogin(target, opts.user, opts.password, { timeoutMs, retransmitMs: (opts.retransmitSec ?? 5) * 1000, onIgnored: (why) => ctx.err(`test-login: ignored a reply: ${why}`) });
  if (outcome.kind === 'timeout') {
    ctx.out(`No reply within ${timeoutMs / 1000} s`);
    return EXIT_FAILURE;
  }
  ctx.out(CODE_NAMES[outcome.code] ?? `RADIUS code ${outcome.code}`);
  if (outcome.replyMessage !== undefined) ctx.out(`Reply-Message: ${outcome.replyMessage}`);
  return outcome.code === Code.AccessAccept ? EXIT_OK : EXIT_FAILURE;
}

/** Target from the options and, when given, the config file; an exit code when that fails. */
export async function resolveTarget(opts: TestLoginOptions, ctx: CliContext): Promise<LoginTarget | number> {
  const fromConfig = opts.config === undefined ? undefined : await targetFromConfig(opts.config, ctx);
  if (typeof fromConfig === 'number') return fromConfig;
  const secret = opts.secret ?? fromConfig?.secret;
  if (secret === undefined || secret === '') {
    ctx.err('test-login: give --secret or --config');
    return EXIT_USAGE;
  }
  const host = opts.host ?? fromConfig?.host ?? '127.0.0.1';
  if (!isIPv4(host) && !isIPv6(host)) {
    ctx.err(`test-login: --host must be an IP address, got "${host}"`);
    return EXIT_USAGE;
  }
  return { host, port: opts.port ?? fromConfig?.port ?? 1812, secret, source: fromConfig?.source };
}

async function targetFromConfig(file: string, ctx: CliContext): Promise<LoginTarget | number> {
  let config: Config;
  try {
    config = await loadConfig(file);
  } catch (err) {
    if (hasCode(err, 'AP_ERR_CONFIG_UNREADABLE')) return ctx.err(err.message), EXIT_NOINPUT;
    if (hasCode(err, 'AP_ERR_CONFIG_INVALID') && 'issues' in err && Array.isArray(err.issues)) {
      for (const issue of err.issues) ctx.err(formatIssue(issue));
      return EXIT_CONFIG;
    }
    throw err;
  }
  const server = config.servers[0];
  const client = server?.clients[0];
  if (!server || !client) {
    ctx.err(`test-login: ${file} has no radius_server_* section with radius_ip_N/radius_secret_N`);
    return EXIT_CONFIG;
  }
  const source = localAddresses().find((a) => networkContains(client.range, a));
  const specific = server.interface !== '' && server.interface !== '0.0.0.0' && server.interface !== '::';
  const host = specific ? server.interface : source !== undefined && isIPv4(source) ? source : '127.0.0.1';
  return { host, port: server.port, secret: client.secret, source };
}

/** Loopback first, then every address of this machine's interfaces. */
function localAddresses(): string[] {
  const all = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
  return [...new Set(['127.0.0.1', '::1', ...all])];
}

/** Timing and reporting of {@link sendTestLogin}. */
export interface SendOptions {
  readonly timeoutMs: number;
  readonly retransmitMs: number;
  /** Told about replies that fail verification (they are ignored, as a NAS would). */
  readonly onIgnored?: (reason: string) => void;
}

/**
 * Sends one PAP Access-Request and waits for a verified reply, retransmitting identical bytes
 * (same Identifier and Request Authenticator, so the proxy sees a duplicate: RFC 5080 §2.2.2).
 */
export async function sendTestLogin(target: LoginTarget, user: string, password: string, o: SendOptions): Promise<LoginOutcome> {
  const secret = Buffer.from(target.secret, 'utf8');
  const identifier = randomInt(256);
  const authenticator = randomBytes(16);
  const attributes = [textAttribute(Attr.UserName, user), textAttribute(32 /* NAS-Identifier */, 'authproxyctl-test-login')];
  if (target.source !== undefined) attributes.push(textAttribute(Attr.CallingStationId, target.source));
  const packet = encodeAccessRequest({ identifier, secret, authenticator, attributes, password: Buffer.from(password, 'utf8') });
  const socket = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
  try {
    await bind(socket, target.source !== undefined && isIPv6(target.source) === isIPv6(target.host) ? target.source : undefined);
    return await exchange(socket, packet, { identifier, authenticator, secret }, target, o);
  } finally {
    socket.close();
  }
}

function bind(socket: Socket, address: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port: 0, ...(address === undefined ? {} : { address }) }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

function exchange(socket: Socket, packet: Buffer, req: { identifier: number; authenticator: Buffer; secret: Buffer }, target: LoginTarget, o: SendOptions): Promise<LoginOutcome> {
  return new Promise((resolve) => {
    const send = (): void => socket.send(packet, target.port, target.host);
    const resend = setInterval(send, o.retransmitMs);
    const done = (outcome: LoginOutcome): void => {
      clearInterval(resend);
      clearTimeout(giveUp);
      resolve(outcome);
    };
    const giveUp = setTimeout(() => done({ kind: 'timeout' }), o.timeoutMs);
    socket.on('error', () => undefined);
    socket.on('message', (msg, rinfo) => {
      if (rinfo.port !== target.port) return;
      const check = checkReply(msg, req, req.secret, true);
      if (!check.ok) return o.onIgnored?.(check.reason);
      const texts = check.packet.attributes.filter((a) => a.type === Attr.ReplyMessage).map((a) => a.value.toString('utf8'));
      done({ kind: 'reply', code: check.packet.code, replyMessage: texts.length ? texts.join('') : undefined });
    });
    send();
  });
}
