/**
 * `[duo_only_client]` (spec §4): the NAS already did primary auth, so every login is accepted
 * here, whatever the password, and only the Duo second factor decides.
 */
import type { PrimaryAuthenticator, PrimaryRequest, PrimaryResult } from './types.js';

/** Duo's internal primary message for `[duo_only_client]`. */
export const IGNORING_PRIMARY_CREDENTIALS = 'Ignoring primary credentials';

const ACCEPT: PrimaryResult = Object.freeze({ status: 'accept', message: IGNORING_PRIMARY_CREDENTIALS, attributes: Object.freeze([]) });

/** A primary authenticator that always accepts, with no attributes. */
export class DuoOnlyClient implements PrimaryAuthenticator {
  readonly kind = 'duo_only_client' as const;

  /** @param name lower-cased section name, e.g. `duo_only_client`. */
  constructor(readonly name: string = 'duo_only_client') {}

  /** Nothing to open. */
  async start(): Promise<void> {}

  /** Always `accept` / `Ignoring primary credentials`; the password is not looked at. */
  async authenticate(_request: PrimaryRequest, _signal: AbortSignal): Promise<PrimaryResult> {
    return ACCEPT;
  }

  /** Nothing to close. */
  async close(): Promise<void> {}
}
