/** `[duo_only_client]` options (spec §4). */
import { T, type SectionSpec } from '../schema.js';

/** The `[duo_only_client]` table. */
export const DUO_ONLY_CLIENT_SPEC: SectionSpec = {
  type: 'duo_only_client',
  logHeader: 'Duo Only Client Module Configuration:',
  doc: 'No primary authentication: the NAS already checked the password; only Duo is asked.',
  options: [
    { key: 'debug', field: 'debug', type: T.bool, default: false, doc: 'Extra logging.' },
    { key: 'http_ca_certs_file', field: 'httpCaCertsFile', type: T.string, default: 'conf/ca-bundle.crt', ignored: true, doc: "Accepted for compatibility; only [main]'s value is used." },
  ],
};
