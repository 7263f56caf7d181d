/** Section type → option table, and the module types Duo knows but this proxy does not run. */
import type { SectionSpec } from '../schema.js';
import { AD_CLIENT_SPEC } from './ad-client.js';
import { DUO_ONLY_CLIENT_SPEC } from './duo-only-client.js';
import { MAIN_SPEC } from './main.js';
import { RADIUS_CLIENT_SPEC } from './radius-client.js';
import {
  RADIUS_SERVER_AUTO_SPEC, RADIUS_SERVER_CHALLENGE_SPEC, RADIUS_SERVER_CONCAT_SPEC, RADIUS_SERVER_DUO_ONLY_SPEC,
} from './radius-server.js';

/** Client section types. */
export const CLIENT_TYPES = ['ad_client', 'radius_client', 'duo_only_client'] as const;
/** Server section types. */
export const SERVER_TYPES = [
  'radius_server_auto', 'radius_server_challenge', 'radius_server_concat', 'radius_server_duo_only',
] as const;

/** A client section type. */
export type ClientType = (typeof CLIENT_TYPES)[number];
/** A server section type. */
export type ServerType = (typeof SERVER_TYPES)[number];
/** Every section type this proxy runs. */
export type SectionType = 'main' | ClientType | ServerType;

/** The option table of every supported section type (a plain record: no registration side effects). */
export const SECTION_SPECS: Readonly<Record<SectionType, SectionSpec>> = {
  main: MAIN_SPEC,
  ad_client: AD_CLIENT_SPEC,
  radius_client: RADIUS_CLIENT_SPEC,
  duo_only_client: DUO_ONLY_CLIENT_SPEC,
  radius_server_auto: RADIUS_SERVER_AUTO_SPEC,
  radius_server_challenge: RADIUS_SERVER_CHALLENGE_SPEC,
  radius_server_concat: RADIUS_SERVER_CONCAT_SPEC,
  radius_server_duo_only: RADIUS_SERVER_DUO_ONLY_SPEC,
};

/** Duo module types (spec §1.3) that this proxy recognises but does not implement. */
export const UNSUPPORTED_TYPES: readonly string[] = [
  'ldap_server_auto', 'cloud', 'http_proxy', 'sso', 'radius_server_iframe', 'radius_server_eap', 'mock_client',
];

/** Duo's module type of a section: the lower-cased name with trailing digits removed (spec §1.3). */
export function moduleType(name: string): string {
  return name.toLowerCase().replace(/\d+$/, '');
}

/** True for the section types this proxy runs. */
export function isSectionType(type: string): type is SectionType {
  return Object.prototype.hasOwnProperty.call(SECTION_SPECS, type);
}

/** True for client section types. */
export function isClientType(type: string): type is ClientType {
  return (CLIENT_TYPES as readonly string[]).includes(type);
}

/** True for server section types. */
export function isServerType(type: string): type is ServerType {
  return (SERVER_TYPES as readonly string[]).includes(type);
}

/**
 * The Duo key behind a typed field of a section type (`apiHost` → `api_host`; list fields give
 * their first key: `hosts` → `host`, `clients` → `radius_ip_N`), for messages about typed values.
 */
export function duoKeyOf(type: SectionType, field: string): string | undefined {
  return SECTION_SPECS[type].options.find((o) => o.field === field)?.key;
}
