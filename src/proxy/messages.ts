/**
 * Every Reply-Message and auth-event text of the RADIUS server sections, exactly as Duo's proxy
 * sends them (spec §5.8, §5.9; 5.0.0 wording where 4.0.2 and 5.0.0 differ). NASes, users and log
 * parsers see these: do not reword.
 */
export const Msg = {
  noUsername: 'No username provided',
  cannotDecodePassword: 'Cannot decode password',
  badPassword: 'Missing or improperly-formatted password',
  exempt: 'User exempted from 2FA',
  failOpen: 'Failmode Safe - Allowed Duo login on preauth failure',
  primaryOnly: 'Primary Only Mode - Secondary authentication bypassed',
  failClosedPreauth: 'Failmode Secure - Denied Duo login on preauth failure',
  failClosedAuth: 'Denied Duo login on auth failure',
  failClosedTimeout: 'Denied Duo login due to timeout',
  enterPasscode: 'Enter passcode:',
  noFactors: 'User has no Duo factors usable with this configuration',
  unknownChallenge: 'Unknown Challenge',
  enrolled: 'User is not enrolled. Enrollment link sent.',
  cannotProxy: 'A client which cannot proxy radius requests has been configured.  Check the proxy configuration',
  unexpectedPacket: 'Unexpected packet in primary authentication',
  primaryError: 'Error performing primary authentication: ',
  primaryOk: 'Primary authentication successful - ',
  primaryRejected: 'Primary credentials rejected - ',
  completeEnrollment: 'Please complete the enrollment process and login again',
  concatNoPassword: 'No password provided',
  concatInvalid: 'Invalid Password',
  factorTooLong: 'Factor or passcode length cannot exceed 2000',
} as const;

/** MS-CHAP-Error sent with MS-CHAPv2 rejects (spec §5.4 B, H, I). */
export const MSCHAP_ERROR_691 = '\x00E=691 R=0 V=3';

/** Python `repr()` of a str, as Duo's log lines quote names (`'jdoe'`). */
export function pyRepr(s: string): string {
  const useDouble = s.includes("'") && !s.includes('"');
  const q = useDouble ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(/[\x00-\x1f\x7f]/g, (c) => {
    const map: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return map[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return q + (useDouble ? body : body.replace(/'/g, "\\'")) + q;
}
