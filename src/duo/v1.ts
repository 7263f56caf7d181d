/**
 * The legacy Auth API v1 calls Duo's proxy makes on the RADIUS paths (spec §0.0, §6.1):
 * `POST /rest/v1/preauth` and `POST /rest/v1/auth`, form-encoded, signature v1.
 */
import type { CallScope } from './call-scope.js';
import { toAuthResult, toPreauthResult } from './parse.js';
import type { DuoRequester } from './request.js';
import type { AuthParams, AuthResult, PreauthParams, PreauthResult } from './types.js';

/** Preauth: `user`, `ipaddr` (sent unvalidated, may be a MAC) and `failmode` (spec §6.1). */
export async function v1Preauth(r: DuoRequester, p: PreauthParams, scope: CallScope): Promise<PreauthResult> {
  const { response, httpStatus } = await r.call(
    {
      method: 'POST',
      path: '/rest/v1/preauth',
      params: { user: p.user, ipaddr: p.ipaddr, failmode: p.failmode },
      signing: 1,
    },
    scope,
    'preauth',
  );
  return toPreauthResult(response, httpStatus);
}

/** Auth: `user`, `factor=auto`, `auto=<factor or passcode>`, `ipaddr` (spec §6.1). */
export async function v1Auth(r: DuoRequester, p: AuthParams, scope: CallScope): Promise<AuthResult> {
  const { response, httpStatus } = await r.call(
    {
      method: 'POST',
      path: '/rest/v1/auth',
      params: { user: p.user, factor: 'auto', auto: p.factor, ipaddr: p.ipaddr },
      signing: 1,
    },
    scope,
    'auth',
  );
  return toAuthResult(response, httpStatus);
}
