/**
 * The StartTLS operation (RFC 4511 §4.14), done on the raw TCP socket before ldapts sees the
 * connection. ldapts has its own `startTLS()`, but it keeps its close/error handling on the TCP
 * socket underneath, so a connection dropped afterwards is never noticed and later operations
 * hang; with the TLS socket handed over from the start, ldapts watches the right socket.
 */
import type { Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { ExtendedRequest, ExtendedResponse, MessageParser, StatusCodeParser } from 'ldapts';
import type { Budget } from './ldap-connection.js';

/** RFC 4511 §4.14.1: the StartTLS extended operation's requestName. */
export const STARTTLS_OID = '1.3.6.1.4.1.1466.20037';

/**
 * Sends the StartTLS ExtendedRequest, waits for a success ExtendedResponse (RFC 4511 §4.14.2),
 * then runs the TLS handshake on the same socket, all within `budget`. Rejects with the LDAP
 * result error (e.g. `protocolError` when the server has no TLS), a socket/TLS error, or the
 * budget's expiry; the socket is destroyed in every failure case.
 */
export async function startTls(socket: Socket, tls: ConnectionOptions, budget: Budget): Promise<TLSSocket> {
  try {
    await budget.race(startTlsResponse(socket), () => socket.destroy());
  } catch (err) {
    socket.destroy();
    throw err;
  }
  const secure = tlsConnect({ ...tls, socket });
  const destroyBoth = (): void => {
    secure.destroy();
    socket.destroy();
  };
  const handshake = new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', () => resolve());
    secure.once('error', reject);
  });
  try {
    await budget.race(handshake, destroyBoth);
  } catch (err) {
    destroyBoth();
    throw err;
  }
  return secure;
}

/** Writes the request and resolves on a success response; stops reading the socket afterwards. */
function startTlsResponse(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const parser = new MessageParser();
    const onData = (data: Buffer): void => parser.read(data, new Map());
    const onClose = (): void => finish(new Error('connection closed during StartTLS'));
    let done = false;
    const finish = (err?: unknown): void => {
      if (done) return;
      done = true;
      socket.off('data', onData).off('error', finish).off('close', onClose);
      // RFC 4511 §4.14.2: after the response, the next bytes on the wire are the TLS handshake.
      socket.pause();
      if (err === undefined) resolve();
      else reject(err);
    };
    parser.once('error', finish);
    parser.once('message', (message: unknown) => {
      if (!(message instanceof ExtendedResponse)) return finish(new Error('unexpected answer to StartTLS'));
      return finish(message.status === 0 ? undefined : StatusCodeParser.parse(message));
    });
    socket.on('data', onData).on('error', finish).on('close', onClose);
    socket.write(new ExtendedRequest({ messageId: 1, oid: STARTTLS_OID }).write());
  });
}
