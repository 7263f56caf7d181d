/** `[radius_client]` options (spec §3.1, §9.1). */
import { T, type SectionSpec } from '../schema.js';

/** The `[radius_client]` table. */
export const RADIUS_CLIENT_SPEC: SectionSpec = {
  type: 'radius_client',
  logHeader: 'RADIUS Client Module Configuration:',
  doc: 'Primary authentication against an upstream RADIUS server.',
  options: [
    { key: 'host', field: 'hosts', type: T.string, required: true, example: '127.0.0.1', doc: 'Upstream RADIUS server (IP address).' },
    { key: 'port', field: 'hosts', type: T.port, default: 1812, doc: 'UDP port of host.' },
    { key: 'host_N', field: 'hosts', type: T.string, numbered: true, example: '127.0.0.2', doc: 'Fallback servers host_1, host_2, …; numbering must be contiguous (reading stops at the first gap).' },
    { key: 'port_N', field: 'hosts', type: T.port, numbered: true, default: 1812, doc: 'UDP port of host_N.' },
    { key: 'secret', field: 'secret', type: T.string, required: true, secret: true, protectedKey: 'secret_protected', example: '', doc: 'Shared secret with the upstream servers.' },
    { key: 'retries', field: 'retries', type: T.nonNegative, default: 3, doc: 'Re-sends after the first transmission (up to retries+1 transmissions).' },
    { key: 'retry_wait', field: 'retryWait', type: { kind: 'int', min: 1 }, default: 2, extension: true, doc: 'Seconds to wait for an answer before each re-send (rotating through the hosts).' },
    { key: 'nas_ip', field: 'nasIp', type: { kind: 'ip', allowEmpty: false }, defaultDoc: '(auto)', example: '192.0.2.10', doc: 'NAS-IP-Address sent upstream; default: the local address of the route to 8.8.8.8.' },
    { key: 'pass_through_attr_names', field: 'passThroughAttrNames', type: T.list, default: [], doc: 'Comma list of attributes copied from the upstream Access-Accept into the final Access-Accept.' },
    { key: 'pass_through_all', field: 'passThroughAll', type: T.bool, default: false, doc: 'Copy every upstream Access-Accept attribute into the final Access-Accept.' },
    { key: 'pw_codec', field: 'pwCodec', type: T.codec, default: 'utf-8', doc: 'Codec used to encode the password sent upstream: utf-8, latin-1 or ascii.' },
    { key: 'require_message_authenticator', field: 'requireMessageAuthenticator', type: T.bool, default: false, extension: true, doc: 'Drop upstream replies without a valid Message-Authenticator (BlastRADIUS, CVE-2024-3596).' },
    { key: 'debug', field: 'debug', type: T.bool, default: false, doc: 'Packet dumps.' },
  ],
};
