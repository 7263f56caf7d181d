/** The Duo Auth API package: the second-factor client, its error, and request signing. */
export { DuoClient, MAX_FACTOR_LENGTH, userAgentFor } from './client.js';
export type { CheckOptions, DuoClientOptions } from './client.js';
export { DuoApiError, isFailOpenable } from './errors.js';
export type { DuoApiErrorInit, DuoStage } from './errors.js';
export {
  basicAuthorization,
  canonJson,
  canonParams,
  canonicalRequest,
  duoHeadersHash,
  duoQuote,
  rfc2822Date,
  signRequest,
} from './sign.js';
export type { DuoParams, JsonValue, SigDigest, SigVersion, SignInput } from './sign.js';
export { parseBasicAuthorization, verifySignature } from './verify.js';
export type { VerifyInput, VerifyResult } from './verify.js';
export type { DuoTime } from './v2.js';
export type * from './types.js';
