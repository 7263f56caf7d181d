/**
 * The project's fake Duo Auth API (test/fakes/duo-api, real HTTPS with a generated test CA) as a
 * separate process, so its TLS and JSON work is not billed to the proxy or the load generator.
 * Every user gets the default scenario: preauth `auth` with a smartphone, push approved at once;
 * `setUsers` gives named users a delayed push. `summary` counts the calls it received.
 */
import { smartphone, startFakeDuoApi, type UserScenario } from '../test/fakes/duo-api/index.js';
import { announceReady, serveRequests } from './children.js';

const device = smartphone('DPBENCH0000000000001');
const duo = await startFakeDuoApi({ defaultScenario: { kind: 'auth', devices: [device] } });

/** Calls per endpoint for users starting with `prefix`, and how many auth calls each such user got. */
function summary(prefix: string): Record<string, number> {
  let preauth = 0;
  let auth = 0;
  const perUser = new Map<string, number>();
  for (const c of duo.calls) {
    const user = c.params['user'] ?? c.params['username'] ?? '';
    if (!user.startsWith(prefix)) continue;
    if (c.endpoint === 'preauth') preauth++;
    if (c.endpoint === 'auth') {
      auth++;
      perUser.set(user, (perUser.get(user) ?? 0) + 1);
    }
  }
  const counts = [...perUser.values()];
  return {
    preauth,
    auth,
    usersWithAuth: perUser.size,
    maxAuthPerUser: counts.length ? Math.max(...counts) : 0,
    tlsConnections: duo.tlsConnections,
  };
}

serveRequests(async (m) => {
  switch (m.kind) {
    case 'setUsers': {
      const push = { result: 'allow' as const, afterMs: Number(m['pushAfterMs'] ?? 0) };
      const scenario: UserScenario = { kind: 'auth', devices: [device], push };
      for (const name of m['names'] as string[]) duo.setUser(name, scenario);
      return {};
    }
    case 'summary':
      return summary(String(m['prefix'] ?? ''));
    case 'reset':
      await duo.reset();
      return {};
    default:
      throw new Error(`unknown request ${m.kind}`);
  }
});
process.on('SIGTERM', () => void duo.close().then(() => process.exit(0)));
announceReady({ port: duo.port, host: duo.host, caCertPath: duo.caCertPath, ikey: duo.ikey, skey: duo.skey });
