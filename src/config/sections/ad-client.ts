/** `[ad_client]` options (spec §2.1). */
import { T, type SectionSpec } from '../schema.js';

/** The `[ad_client]` table. */
export const AD_CLIENT_SPEC: SectionSpec = {
  type: 'ad_client',
  logHeader: 'AD Client Module Configuration:',
  doc: 'Primary authentication against Active Directory / LDAP.',
  options: [
    { key: 'host', field: 'hosts', type: T.string, example: 'dc1.example.com', doc: 'First directory server (name or IP); required unless a host_N is given.' },
    { key: 'host_N', field: 'hosts', type: T.string, numbered: true, example: 'dc2.example.com', doc: 'Fallback servers (any numbers, gaps allowed), tried after host in numeric order.' },
    { key: 'port', field: 'port', type: T.port, default: (get) => (get('transport') === 'ldaps' ? 636 : 389), defaultDoc: '389', doc: 'LDAP port for every host; default 389, or 636 with transport=ldaps.' },
    { key: 'transport', field: 'transport', type: { kind: 'enum', values: ['clear', 'ldaps', 'starttls'] }, default: 'clear', doc: 'clear, ldaps (TLS from the first byte) or starttls (LDAP StartTLS, then TLS).' },
    { key: 'ssl_ca_certs_file', field: 'sslCaCertsFile', type: T.string, defaultDoc: '(none)', example: 'conf/ad-ca.pem', doc: 'PEM CA file for ldaps/starttls; relative names resolve under conf/. Without it no certificate check happens.' },
    { key: 'ssl_verify_hostname', field: 'sslVerifyHostname', type: T.bool, default: true, doc: 'With a CA file, also check the server certificate names against host.' },
    { key: 'ssl_verify_depth', field: 'sslVerifyDepth', type: T.nonNegative, default: 9, doc: 'Maximum certificate chain depth.' },
    { key: 'service_account_username', field: 'serviceAccountUsername', type: T.string, required: true, example: 'svc-duo', doc: 'Service account used for the user search bind.' },
    { key: 'service_account_password', field: 'serviceAccountPassword', type: T.string, required: true, secret: true, protectedKey: 'service_account_password_protected', example: '', doc: 'Password of the service account.' },
    { key: 'search_dn', field: 'searchDn', type: T.string, required: true, example: 'DC=example,DC=com', doc: 'Base DN of the user search (whole subtree).' },
    { key: 'security_group_dn', field: 'securityGroupDn', type: T.string, default: '', doc: 'If set, users must be direct members of this group (or have it as primary group).' },
    { key: 'bind_dn', field: 'bindDn', type: T.string, default: '', doc: 'DN for the service-account bind; required for auth_type=plain.' },
    { key: 'username_attribute', field: 'usernameAttribute', type: T.string, default: 'sAMAccountName', doc: 'Attribute matched against the login name.' },
    { key: 'at_attribute', field: 'atAttribute', type: T.string, default: 'userPrincipalName', doc: "Attribute matched instead when the login name contains '@'." },
    { key: 'ldap_filter', field: 'ldapFilter', type: T.string, default: '', doc: 'Extra LDAP filter AND-ed into the user search.' },
    { key: 'timeout', field: 'timeout', type: T.nonNegative, default: 10, doc: "Seconds allowed for one host's whole attempt (connect, binds, search)." },
    { key: 'auth_type', field: 'authType', type: { kind: 'enum', values: ['plain', 'ntlm1', 'ntlm2'] }, default: 'ntlm2', doc: 'plain (simple bind), ntlm1 or ntlm2 (NTLM inside SASL GSS-SPNEGO); sspi is Windows-only.' },
    { key: 'ntlm_domain', field: 'ntlmDomain', type: T.string, default: '', doc: 'Domain for NTLM binds.' },
    { key: 'ntlm_workstation', field: 'ntlmWorkstation', type: T.string, default: '', doc: 'Workstation name sent in NTLM binds.' },
    { key: 'debug', field: 'debug', type: T.bool, default: false, doc: 'Verbose LDAP logging.' },
  ],
};
