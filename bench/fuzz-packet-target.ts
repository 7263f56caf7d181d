/**
 * The packet-path fuzz target: every stage a datagram can reach, with its invariants.
 * - `parsePacket` never throws; an accepted packet's attributes re-serialise to its bytes.
 * - Request checks (`checkMessageAuthenticator`, `decodeUserPassword` in every codec,
 *   `buildRequest`, `decodeNamed`) never throw.
 * - Message-Authenticator: re-signed with the secret it verifies; one flipped bit and it does not.
 * - User-Password: decrypt → encrypt gives back the hidden bytes (RFC 2865 §5.2 chaining).
 * - Reply building (`encodeReply`, documented error `AP_ERR_RADIUS_ENCODE`) round-trips through
 *   `parsePacket` + `checkReply`: Message-Authenticator first, attributes in order, Proxy-States
 *   echoed last, Reply-Message split on UTF-8 boundaries.
 * - Upstream request building (`buildUpstreamAttributes` + `encodeAccessRequest`, pass_through_all):
 *   a request that fits in 4096 octets encodes and verifies; one that does not must throw, never
 *   come back truncated.
 */
import { hasCode } from '../src/errors.js';
import { checkReply, encodeAccessRequest } from '../src/radius/access-request.js';
import { verifyMessageAuthenticator, computeMessageAuthenticator } from '../src/radius/authenticator.js';
import { Attr, firstValue } from '../src/radius/dictionary.js';
import { decodeNamed, isMalformed, MAX_PACKET_LENGTH, parsePacket, type ParsedPacket } from '../src/radius/packet.js';
import { decryptUserPassword, encryptUserPassword } from '../src/radius/password.js';
import { encodeReply, replyAttributes } from '../src/radius/reply.js';
import { buildRequest, checkMessageAuthenticator, decodeUserPassword } from '../src/radius/request.js';
import { buildUpstreamAttributes } from '../src/primary/radius-client-request.js';
import type { RadiusAttribute, RadiusRequest } from '../src/radius/types.js';
import type { FuzzTarget } from './fuzz-engine.js';
import { mutatePacket } from './fuzz-mutate.js';
import type { Rng } from './fuzz-rng.js';
import { FUZZ_SECRET, packetSeeds } from './fuzz-seeds.js';

const SECRET = Buffer.from(FUZZ_SECRET);
const UPSTREAM_SECRET = Buffer.from('upstream-secret');
const POLICY = { requireMessageAuthenticator: false, limitProxyState: true, pwCodec: 'utf-8' };

/** A broken invariant (always a failure). */
export class FuzzViolation extends Error {
  override readonly name = 'FuzzViolation';
}

function must(cond: boolean, what: string): void {
  if (!cond) throw new FuzzViolation(what);
}

const tlv = (attrs: readonly RadiusAttribute[]): Buffer =>
  Buffer.concat(attrs.map((a) => Buffer.concat([Buffer.from([a.type, a.value.length + 2]), a.value])));

/** Runs one datagram through every stage (see the module comment). */
export function runPacket(input: Buffer): void {
  const parsed = parsePacket(input);
  if (isMalformed(parsed)) return must(typeof parsed.reason === 'string' && parsed.reason.length > 0, 'malformed without a reason');
  must(tlv(parsed.attributes).equals(input.subarray(20)), 'attributes do not re-serialise to the datagram');
  checkMessageAuthenticator(input, parsed, SECRET, POLICY, '127.0.0.1');
  for (const codec of ['utf-8', 'latin-1', 'ascii', 'cp1252']) decodeUserPassword(parsed, SECRET, codec);
  const password = decodeUserPassword(parsed, SECRET, 'utf-8');
  const request = buildRequest(input, parsed, { address: '127.0.0.1', port: 1812 }, 'radius_server_auto', { network: '127.0.0.1', secret: SECRET }, password);
  decodeNamed(input);
  messageAuthenticatorRoundTrip(input, parsed);
  passwordRoundTrip(parsed);
  for (const code of [2, 3, 11]) replyRoundTrip(parsed, code, request.userName);
  upstreamRoundTrip(request);
}

function messageAuthenticatorRoundTrip(input: Buffer, p: ParsedPacket): void {
  if (p.messageAuthenticatorOffset < 0) return;
  const signed = Buffer.from(input);
  computeMessageAuthenticator(signed, p.messageAuthenticatorOffset, SECRET).copy(signed, p.messageAuthenticatorOffset);
  must(verifyMessageAuthenticator(signed, p.messageAuthenticatorOffset, SECRET), 'a correctly signed Message-Authenticator does not verify');
  must(checkMessageAuthenticator(signed, p, SECRET, POLICY, 'x') === undefined, 'checkMessageAuthenticator refuses a valid one');
  const at = p.messageAuthenticatorOffset === 22 ? 0 : 22; // a byte outside the MA value
  signed[at] = signed[at]! ^ 0x01;
  must(!verifyMessageAuthenticator(signed, p.messageAuthenticatorOffset, SECRET), 'a modified packet still verifies');
}

function passwordRoundTrip(p: ParsedPacket): void {
  const hidden = firstValue(p.attributes, Attr.UserPassword);
  if (hidden === undefined) return;
  const plain = decryptUserPassword(hidden, SECRET, p.authenticator);
  const validSize = hidden.length >= 16 && hidden.length <= 128 && hidden.length % 16 === 0;
  must((plain !== undefined) === validSize, `decrypt accepted/refused a ${hidden.length}-octet User-Password`);
  if (!plain) return;
  const again = encryptUserPassword(plain, SECRET, p.authenticator);
  must(again.length <= hidden.length && hidden.subarray(0, again.length).equals(again), 'User-Password does not re-encrypt to its bytes');
}

function replyRoundTrip(p: ParsedPacket, code: number, userName: string | undefined): void {
  const proxyStates = p.attributes.filter((a) => a.type === Attr.ProxyState).map((a) => a.value);
  const attrs = replyAttributes(p.attributes.filter((a) => a.type !== Attr.ProxyState), userName === undefined ? undefined : `Hello ${userName}`);
  let reply: Buffer;
  try {
    reply = encodeReply({ code, identifier: p.identifier, requestAuthenticator: p.authenticator, secret: SECRET, attributes: attrs, proxyStates });
  } catch (err) {
    if (hasCode(err, 'AP_ERR_RADIUS_ENCODE')) return;
    throw err;
  }
  const check = checkReply(reply, { identifier: p.identifier, authenticator: p.authenticator }, SECRET, true);
  if (!check.ok) throw new FuzzViolation(`our reply fails checkReply: ${check.reason}`);
  const got = check.packet.attributes;
  must(got[0]?.type === Attr.MessageAuthenticator, 'Message-Authenticator is not the first reply attribute');
  const expected = [...attrs.filter((a) => a.type !== Attr.MessageAuthenticator), ...proxyStates.map((value) => ({ type: Attr.ProxyState, value }))];
  must(tlv(got.slice(1)).equals(tlv(expected)), 'reply attributes differ from what was handed over');
  if (userName === undefined) return;
  const chunks = got.filter((a) => a.type === Attr.ReplyMessage).map((a) => a.value);
  must(Buffer.concat(chunks).equals(Buffer.from(`Hello ${userName}`, 'utf8')), 'Reply-Message is not the text handed over');
  for (const c of chunks) must(c.length <= 253 && isUtf8(c), 'a Reply-Message chunk cuts a UTF-8 character');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
function isUtf8(b: Buffer): boolean {
  try {
    strictUtf8.decode(b);
    return true;
  } catch {
    return false;
  }
}

function upstreamRoundTrip(request: RadiusRequest): void {
  const attrs = buildUpstreamAttributes(
    { username: request.userName ?? '', password: undefined, request, passThrough: request.attributes, clientIp: undefined },
    '192.0.2.10',
  );
  const password = request.password.state === 'ok' ? Buffer.from(request.password.value, 'utf8') : undefined;
  const pwSize = password === undefined || password.length > 128 ? 0 : 2 + Math.max(16, Math.ceil(password.length / 16) * 16);
  const size = 20 + 18 + attrs.reduce((n, a) => n + 2 + a.value.length, 0) + pwSize;
  const authenticator = Buffer.alloc(16, 0x5a);
  let packet: Buffer;
  try {
    packet = encodeAccessRequest({ identifier: 9, secret: UPSTREAM_SECRET, attributes: attrs, password: pwSize ? password : undefined, authenticator });
  } catch (err) {
    // UpstreamClient turns any encoding failure into AP_ERR_RADIUS_ENCODE; it must only happen when it cannot fit.
    must(size > MAX_PACKET_LENGTH, `upstream request of ${size} octets failed to encode: ${String(err)}`);
    return;
  }
  must(size <= MAX_PACKET_LENGTH, `an upstream request of ${size} octets was encoded into ${packet.length} octets instead of failing`);
  const back = parsePacket(packet);
  if (isMalformed(back)) throw new FuzzViolation(`our upstream request does not parse: ${back.reason}`);
  must(back.messageAuthenticatorOffset === 22 && verifyMessageAuthenticator(packet, 22, UPSTREAM_SECRET), 'upstream Message-Authenticator missing or wrong');
  if (pwSize) {
    const hidden = firstValue(back.attributes, Attr.UserPassword)!;
    must(decryptUserPassword(hidden, UPSTREAM_SECRET, authenticator)!.equals(password!.subarray(0, password!.length - trailingNuls(password!))), 'upstream password does not decrypt back');
  }
}

function trailingNuls(b: Buffer): number {
  let n = 0;
  while (n < b.length && b[b.length - 1 - n] === 0) n++;
  return n;
}

/** The packet target for {@link runFuzz}. */
export function packetTarget(seeds: readonly Buffer[] = packetSeeds()): FuzzTarget<Buffer> {
  return {
    name: 'radius-packet-path',
    seeds,
    run: runPacket,
    mutate: (input: Buffer, corpus: readonly Buffer[], rng: Rng) => mutatePacket(input, corpus, rng),
    isExpected: () => false,
    show: (input: Buffer) => input.toString('hex'),
  };
}
