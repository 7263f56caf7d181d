/**
 * A throwaway OpenLDAP server (Debian's slapd 2.5) on 127.0.0.1 with free ports, built from
 * scratch for each test file: cn=config via slapadd, the memberof + refint overlays, a minimal
 * "AD look-alike" schema (sAMAccountName, userPrincipalName, primaryGroupID with Microsoft's
 * OIDs), LDAP with StartTLS and LDAPS with a certificate from a test CA (SAN IP:127.0.0.1 and
 * DNS:localhost). slapd runs with `-d stats`, so its log lists every connection and bind.
 *
 * Data (base `dc=example,dc=com`):
 * - `cn=admin,dc=example,dc=com` / `adminpw` (rootdn)
 * - `uid=alice,ou=people,…` / `alicepw`, with sAMAccountName, userPrincipalName alice@example.com,
 *   primaryGroupID 513, member of duo-users
 * - `uid=bob,ou=people,…` / `bobpw`, member of other
 * - `cn=duo-users,ou=groups,…` and `cn=other,ou=groups,…` (groupOfNames), added online so that
 *   the memberof overlay fills `memberOf` (it does not run under slapadd).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { createTestCa } from '../support/test-ca.js';
import { freeTcpPort, makeTempDir, run, startDaemon, waitFor, type Daemon } from './common.js';

const HOST = '127.0.0.1';
const BASE_DN = 'dc=example,dc=com';
const ADMIN_DN = `cn=admin,${BASE_DN}`;
const ADMIN_PW = 'adminpw';

/** A directory user of the fixture. */
export interface SlapdUser {
  readonly dn: string;
  readonly password: string;
}

/** A running throwaway slapd (see the module comment for its data). */
export interface SlapdHandle {
  /** `ldap://127.0.0.1:<port>` (clear, StartTLS available). */
  readonly url: string;
  /** `ldaps://127.0.0.1:<ldapsPort>`. */
  readonly ldapsUrl: string;
  readonly host: string;
  readonly port: number;
  readonly ldapsPort: number;
  /** PEM file of the test CA that signed the server certificate. */
  readonly caFile: string;
  readonly baseDn: string;
  readonly adminDn: string;
  readonly adminPw: string;
  readonly users: { readonly alice: SlapdUser; readonly bob: SlapdUser };
  readonly groups: { readonly duoUsers: string; readonly other: string };
  /** Working directory (config, database, TLS files, log). */
  readonly dir: string;
  /** slapd's stats log (one `conn=… ACCEPT`, `conn=… op=… BIND dn="…"` line per event). */
  log(): string;
  /** SIGTERM and wait; removes the directory unless it was given by the caller. */
  stop(): Promise<void>;
  /** SIGKILL (a crash); the data stays, so {@link restart} brings the same server back. */
  kill(): Promise<void>;
  /** Stops (if running) and starts slapd again on the same ports with the same data. */
  restart(): Promise<void>;
}

/** Options for {@link startSlapd}. */
export interface SlapdOptions {
  /** Working directory (created/emptied); default a fresh temp dir, removed by `stop()`. */
  readonly dir?: string;
}

/** RFC 2307 `{SSHA}` password hash, as slappasswd makes it. */
function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

function configLdif(dir: string, tls: { ca: string; cert: string; key: string }): string {
  return `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: ${dir}/slapd.pid
olcTLSCACertificateFile: ${tls.ca}
olcTLSCertificateFile: ${tls.cert}
olcTLSCertificateKeyFile: ${tls.key}

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: memberof
olcModuleLoad: refint

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/nis.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif

dn: cn=adlite,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: adlite
olcAttributeTypes: ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
olcAttributeTypes: ( 1.2.840.113556.1.4.656 NAME 'userPrincipalName' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
olcAttributeTypes: ( 1.2.840.113556.1.4.98 NAME 'primaryGroupID' EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
olcObjectClasses: ( 1.3.6.1.4.1.99999.1.1 NAME 'testADUser' AUXILIARY MAY ( sAMAccountName $ userPrincipalName $ primaryGroupID ) )

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcRootDN: ${ADMIN_DN}

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: ${BASE_DN}
olcRootDN: ${ADMIN_DN}
olcRootPW: ${ssha(ADMIN_PW)}
olcDbDirectory: ${dir}/db
olcDbMaxSize: 104857600
olcDbIndex: objectClass eq
olcDbIndex: uid,cn,sAMAccountName eq,sub
olcDbIndex: member,memberOf eq
olcAccess: to attrs=userPassword by self write by anonymous auth by * none
olcAccess: to * by * read

dn: olcOverlay={0}memberof,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: {0}memberof
olcMemberOfRefInt: TRUE
olcMemberOfGroupOC: groupOfNames
olcMemberOfMemberAD: member
olcMemberOfMemberOfAD: memberOf

dn: olcOverlay={1}refint,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcRefintConfig
olcOverlay: {1}refint
olcRefintAttribute: memberof
olcRefintAttribute: member
`;
}

function baseLdif(): string {
  return `dn: ${BASE_DN}
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=people,${BASE_DN}
objectClass: organizationalUnit
ou: people

dn: ou=groups,${BASE_DN}
objectClass: organizationalUnit
ou: groups

dn: uid=alice,ou=people,${BASE_DN}
objectClass: inetOrgPerson
objectClass: testADUser
uid: alice
cn: Alice Example
sn: Example
mail: alice@example.com
sAMAccountName: alice
userPrincipalName: alice@example.com
primaryGroupID: 513
userPassword: ${ssha('alicepw')}

dn: uid=bob,ou=people,${BASE_DN}
objectClass: inetOrgPerson
uid: bob
cn: Bob Example
sn: Example
userPassword: ${ssha('bobpw')}
`;
}

/** Answers an anonymous rootDSE search: the server is up. */
async function rootDseAnswers(url: string): Promise<boolean> {
  const client = new Client({ url, connectTimeout: 1000, timeout: 2000 });
  try {
    await client.search('', { scope: 'base', attributes: ['namingContexts'] });
    return true;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** Adds the groups online so that the memberof overlay maintains `memberOf`. */
async function addGroups(url: string): Promise<void> {
  const client = new Client({ url, timeout: 5000 });
  try {
    await client.bind(ADMIN_DN, ADMIN_PW);
    await client.add(`cn=duo-users,ou=groups,${BASE_DN}`, {
      objectClass: 'groupOfNames',
      cn: 'duo-users',
      member: `uid=alice,ou=people,${BASE_DN}`,
    });
    await client.add(`cn=other,ou=groups,${BASE_DN}`, {
      objectClass: 'groupOfNames',
      cn: 'other',
      member: `uid=bob,ou=people,${BASE_DN}`,
    });
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** Builds cn=config and the database offline with slapadd. */
async function provision(dir: string): Promise<string> {
  for (const sub of ['slapd.d', 'db']) mkdirSync(join(dir, sub), { recursive: true });
  const ca = createTestCa(join(dir, 'tls'), { hosts: [HOST, 'localhost'] });
  writeFileSync(join(dir, 'config.ldif'), configLdif(dir, { ca: ca.caCertPath, cert: ca.certPath, key: ca.keyPath }));
  writeFileSync(join(dir, 'base.ldif'), baseLdif());
  await run('slapadd', ['-n', '0', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'config.ldif')]);
  await run('slapadd', ['-n', '1', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'base.ldif')]);
  return ca.caCertPath;
}

/**
 * Builds and starts a throwaway slapd on 127.0.0.1 (free ports from the OS) and waits until it
 * answers and the groups are in place. Typically takes well under a second.
 */
export async function startSlapd(opts: SlapdOptions = {}): Promise<SlapdHandle> {
  const dir = opts.dir ?? makeTempDir('slapd');
  if (opts.dir !== undefined) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  const caFile = await provision(dir);
  const [port, ldapsPort] = [await freeTcpPort(HOST), await freeTcpPort(HOST)];
  const url = `ldap://${HOST}:${port}`;
  const ldapsUrl = `ldaps://${HOST}:${ldapsPort}`;
  const logFile = join(dir, 'slapd.log');
  const args = ['-d', 'stats', '-F', join(dir, 'slapd.d'), '-h', `${url}/ ${ldapsUrl}/`];
  let daemon: Daemon = await launch(args, logFile, url);
  await addGroups(url);
  const handle: SlapdHandle = {
    url, ldapsUrl, host: HOST, port, ldapsPort, caFile, dir,
    baseDn: BASE_DN, adminDn: ADMIN_DN, adminPw: ADMIN_PW,
    users: {
      alice: { dn: `uid=alice,ou=people,${BASE_DN}`, password: 'alicepw' },
      bob: { dn: `uid=bob,ou=people,${BASE_DN}`, password: 'bobpw' },
    },
    groups: { duoUsers: `cn=duo-users,ou=groups,${BASE_DN}`, other: `cn=other,ou=groups,${BASE_DN}` },
    log: () => readFileSync(logFile, 'utf8'),
    stop: async () => {
      await daemon.stop();
      if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
    kill: async () => {
      await daemon.kill();
    },
    restart: async () => {
      await daemon.stop();
      daemon = await launch(args, logFile, url);
    },
  };
  return handle;
}

async function launch(args: readonly string[], logFile: string, url: string): Promise<Daemon> {
  const daemon = await startDaemon('slapd', args, { logFile });
  try {
    await waitFor(() => rootDseAnswers(url), {
      what: `slapd on ${url}`,
      timeoutMs: 15_000,
      failed: () => (daemon.running ? undefined : `slapd exited; see ${logFile}`),
    });
  } catch (err) {
    await daemon.kill();
    throw err;
  }
  return daemon;
}
