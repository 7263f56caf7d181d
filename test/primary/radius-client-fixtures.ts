/**
 * Shared pieces of the `[radius_client]` tests: a NAS-side {@link RadiusRequest} as the server
 * core would hand it over, the {@link PrimaryRequest} built from it, and decoding of the packets
 * a fake upstream captured.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { PrimaryRequest } from '../../src/primary/types.js';
import { textAttribute } from '../../src/radius/access-request.js';
import { Attr } from '../../src/radius/dictionary.js';
import { isMalformed, parsePacket, type ParsedPacket } from '../../src/radius/packet.js';
import type { RadiusAttribute, RadiusRequest } from '../../src/radius/types.js';

/** Options for {@link primaryRequest}. */
export interface LoginSpec {
  readonly user: string;
  readonly password?: string | undefined;
  /** Extra NAS request attributes (after User-Name). */
  readonly nasAttributes?: readonly RadiusAttribute[];
  readonly passThrough?: readonly RadiusAttribute[];
  readonly clientIp?: string;
  readonly upstreamState?: Buffer;
}

/** A PrimaryRequest for `spec`, with the NAS request it came from. */
export function primaryRequest(spec: LoginSpec): PrimaryRequest {
  const attributes = [textAttribute(Attr.UserName, spec.user), ...(spec.nasAttributes ?? [])];
  const request: RadiusRequest = {
    raw: Buffer.alloc(20),
    code: 1,
    identifier: 7,
    authenticator: randomBytes(16),
    attributes,
    source: { address: '10.0.0.5', port: 40000 },
    section: 'radius_server_auto',
    client: { network: '10.0.0.0/8', secret: Buffer.from('nas-secret') },
    hasMessageAuthenticator: true,
    password: spec.password === undefined ? { state: 'absent' } : { state: 'ok', value: spec.password },
    userName: spec.user,
  };
  return {
    username: spec.user,
    password: spec.password,
    request,
    passThrough: spec.passThrough ?? [],
    clientIp: spec.clientIp,
    upstreamState: spec.upstreamState,
  };
}

/** Parses a captured datagram, failing the test when it is malformed. */
export function parsed(data: Buffer): ParsedPacket {
  const p = parsePacket(data);
  if (isMalformed(p)) throw new Error(p.reason);
  return p;
}

/** Asserts `got` lists the same attribute types and values as `want`, in order. */
export function expectAttributes(got: readonly RadiusAttribute[], want: readonly RadiusAttribute[]): void {
  expect(got.map((a) => [a.type, a.value.toString('hex')])).toEqual(want.map((a) => [a.type, a.value.toString('hex')]));
}

/** A never-aborted signal. */
export const NO_ABORT = new AbortController().signal;
