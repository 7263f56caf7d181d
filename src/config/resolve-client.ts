/**
 * Which client section a server section uses (spec §1.6), in Duo's order:
 * 1. `[main] server=X` + `client=Y` → section X uses Y (a `server` naming no section is ignored);
 * 2. the section's own `client`;
 * 3. `[main] client`;
 * 4. the only client section (Duo counts sections whose name contains `client` and not `server`;
 *    we count valid client sections only, so that an invalid `[ad_client_2]` is reported once as
 *    `Invalid module` and not again as a resolution failure — the outcome for valid files is the same);
 * 5. none: fine for `radius_server_duo_only`, an error for every other server.
 * Names are lower-cased; a name that is not a client section is an error.
 */
import type { SectionIssues } from './issues.js';
import type { ServerType } from './sections/registry.js';

/** A `client`/`server` value and the line it came from. */
export interface NamedValue {
  readonly value: string;
  readonly line: number;
}

/** What resolution needs to know about the whole file. */
export interface ResolutionContext {
  readonly mainClient: NamedValue | undefined;
  readonly mainServer: NamedValue | undefined;
  /** Lower-cased names of the valid client sections. */
  readonly clientSections: ReadonlySet<string>;
}

/** The server section being resolved. */
export interface ServerRef {
  readonly name: string;
  readonly type: ServerType;
  readonly line: number;
  readonly ownClient: NamedValue | undefined;
}

/** Resolves the client of `server`; reports failures to `issues` and returns undefined then. */
export function resolveClient(server: ServerRef, ctx: ResolutionContext, issues: SectionIssues): string | undefined {
  if (server.type === 'radius_server_duo_only') {
    if (server.ownClient) {
      issues.warn(server.ownClient.line, 'client', `client in section [${server.name}] has no effect when in this type of section`);
    }
    return undefined;
  }
  const chosen = pickClient(server, ctx);
  if (!chosen) {
    issues.error(server.line, undefined, `Neither module ${server.name} or main has "client" value`);
    return undefined;
  }
  if (!ctx.clientSections.has(chosen.value)) {
    issues.error(chosen.line, 'client',
      `The client name '${chosen.value}' could not be mapped to a valid client configuration for the [${server.name}] section.`);
    return undefined;
  }
  return chosen.value;
}

function pickClient(server: ServerRef, ctx: ResolutionContext): NamedValue | undefined {
  if (ctx.mainServer && ctx.mainClient && ctx.mainServer.value === server.name) return ctx.mainClient;
  if (server.ownClient) return server.ownClient;
  if (ctx.mainClient) return ctx.mainClient;
  const only = ctx.clientSections.size === 1 ? [...ctx.clientSections][0] : undefined;
  return only === undefined ? undefined : { value: only, line: server.line };
}
