/**
 * The load generator's own lean Access-Request encoder and reply check: no attribute objects, no
 * parsing, so that the generator stays much cheaper per packet than the servers it measures
 * (it shares a CPU with the upstream FreeRADIUS). Only the MD5 primitives come from src/radius.
 * test/bench/wire.test.ts proves its bytes against src/radius.
 */
import { randomFillSync, timingSafeEqual } from 'node:crypto';
import { hmacMd5For, md5 } from '../src/radius/md5.js';
import { encryptUserPassword } from '../src/radius/password.js';

/** RFC 2865 §5 attribute types the generator sends. */
const USER_NAME = 1;
const USER_PASSWORD = 2;
const NAS_IP_ADDRESS = 4;
const CALLING_STATION_ID = 31;
const MESSAGE_AUTHENTICATOR = 80;

/** One login as a NAS sends it. */
export interface Login {
  readonly user: string;
  readonly password: string;
}

/** What every request of a run shares. */
export interface RequestTemplate {
  readonly secret: Buffer;
  /** `Calling-Station-Id` (the end user's IP); omitted when undefined. */
  readonly callingStationId?: string | undefined;
}

/** Random Request Authenticators, drawn from a refilled pool (one syscall per 4096 requests). */
export class AuthenticatorSource {
  private pool = Buffer.alloc(0);
  private offset = 0;

  /** 16 fresh random bytes (RFC 2865 §3: unpredictable and unique). */
  next(): Buffer {
    if (this.offset + 16 > this.pool.length) {
      this.pool = randomFillSync(Buffer.allocUnsafe(16 * 4096));
      this.offset = 0;
    }
    const b = this.pool.subarray(this.offset, this.offset + 16);
    this.offset += 16;
    return b;
  }
}


function putAttr(p: Buffer, off: number, type: number, value: Buffer): number {
  p[off] = type;
  p[off + 1] = value.length + 2;
  value.copy(p, off + 2);
  return off + 2 + value.length;
}

/**
 * An Access-Request with Message-Authenticator first (RFC 3579 §3.2, BlastRADIUS), then User-Name,
 * User-Password, NAS-IP-Address 127.0.0.1 and (optionally) Calling-Station-Id.
 */
export function encodeLogin(identifier: number, login: Login, t: RequestTemplate, authenticator: Buffer): Buffer {
  const user = Buffer.from(login.user, 'utf8');
  const hidden = encryptUserPassword(Buffer.from(login.password, 'utf8'), t.secret, authenticator);
  const csid = t.callingStationId === undefined ? undefined : Buffer.from(t.callingStationId, 'utf8');
  const length = 20 + 18 + 2 + user.length + 2 + hidden.length + 6 + (csid ? 2 + csid.length : 0);
  const p = Buffer.alloc(length);
  p[0] = 1;
  p[1] = identifier;
  p.writeUInt16BE(length, 2);
  authenticator.copy(p, 4);
  let off = putAttr(p, 20, MESSAGE_AUTHENTICATOR, Buffer.alloc(16));
  off = putAttr(p, off, USER_NAME, user);
  off = putAttr(p, off, USER_PASSWORD, hidden);
  off = putAttr(p, off, NAS_IP_ADDRESS, Buffer.from([127, 0, 0, 1]));
  if (csid) putAttr(p, off, CALLING_STATION_ID, csid);
  hmacMd5For(t.secret).mac([p]).copy(p, 22);
  return p;
}

/** Reply codes the generator counts (RFC 2865 §3). */
export const ACCESS_ACCEPT = 2;
/** Access-Reject. */
export const ACCESS_REJECT = 3;
/** Access-Challenge. */
export const ACCESS_CHALLENGE = 11;

/**
 * True when `reply` answers the request with `identifier`/`authenticator`: Identifier, Length and
 * the Response Authenticator (RFC 2865 §3) check out. (Message-Authenticator is not checked: the
 * Response Authenticator already proves the reply, and checking it would cost the generator more
 * for a server that sends it than for one that does not.)
 */
export function isReplyTo(reply: Buffer, identifier: number, authenticator: Buffer, secret: Buffer): boolean {
  if (reply.length < 20 || reply[1] !== identifier || reply.readUInt16BE(2) !== reply.length) return false;
  const expected = md5(reply.subarray(0, 4), authenticator, reply.subarray(20), secret);
  return timingSafeEqual(expected, reply.subarray(4, 20));
}
