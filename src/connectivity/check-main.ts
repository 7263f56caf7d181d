/**
 * Connectivity checks of `[main]` (spec §8.2): the Duo API CA bundle (`http_ca_certs_file`) can
 * be read and holds valid certificates, and the HTTP CONNECT proxy (`http_proxy_host`), when
 * configured, accepts a TCP connection.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { MainConfig } from '../config/types.js';
import { resolveConfFile } from '../server/build.js';
import { error, info, type CheckLine } from './report.js';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const TCP_TIMEOUT_MS = 5000;

/** Spec §1.8 `http_ca_certs_file`: the bundle must parse into at least one certificate. */
export function checkCaBundle(main: MainConfig, installDir: string): CheckLine {
  const file = resolveConfFile(installDir, main.httpCaCertsFile);
  if (!existsSync(file) && main.httpCaCertsFile === 'conf/ca-bundle.crt') {
    return info(`${file} does not exist; the Auth Proxy uses the ${rootCertificates.length} root certificates built into Node.js to check the Duo API.`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return error(`The Auth Proxy could not read the CA certificate bundle ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}). Set http_ca_certs_file to a readable PEM file.`);
  }
  const blocks = text.match(PEM_BLOCK) ?? [];
  const bad = blocks.filter((b) => !parses(b)).length;
  if (blocks.length === 0 || bad > 0) {
    return error(`The CA certificate bundle ${file} holds ${blocks.length === 0 ? 'no PEM certificate' : `${bad} invalid certificate(s)`}. Set http_ca_certs_file to a PEM file of CA certificates.`);
  }
  return info(`The Auth Proxy was able to load ${blocks.length} CA certificate(s) from ${file}.`);
}

function parses(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

/** Opens and closes a TCP connection; resolves with an error code/text or undefined on success. */
export function tcpProbe(host: string, port: number, timeoutMs = TCP_TIMEOUT_MS): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: string | undefined): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000} s`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

/** `http_proxy_host`/`http_proxy_port` reachable over TCP (no line when no proxy is set). */
export async function checkHttpProxy(main: MainConfig): Promise<CheckLine[]> {
  if (!main.httpProxyHost) return [];
  const where = `${main.httpProxyHost}:${main.httpProxyPort}`;
  const failure = await tcpProbe(main.httpProxyHost, main.httpProxyPort);
  if (failure === undefined) return [info(`The Auth Proxy was able to connect to the HTTP proxy at ${where}.`)];
  return [error(`The Auth Proxy could not connect to the HTTP proxy at ${where} (${failure}). Check http_proxy_host and http_proxy_port, and that the proxy is running.`)];
}
