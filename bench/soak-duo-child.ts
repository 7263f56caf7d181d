/**
 * The fake Duo Auth API (test/fakes/duo-api) in its own process for `npm run soak`, so that its
 * HTTPS and signature work does not share a CPU with the load generator. Every user is enrolled
 * with a smartphone whose push is approved at once. Reports {port, ikey, skey, caCertPath} over
 * IPC, forgets recorded calls every second (it would otherwise keep them all), exits on 'stop'.
 */
import { smartphone, startFakeDuoApi } from '../test/fakes/duo-api/index.js';

if (!process.send) {
  process.stderr.write('soak-duo-child must be forked with an IPC channel\n');
  process.exit(2);
}

const duo = await startFakeDuoApi({
  defaultScenario: { kind: 'auth', devices: [smartphone('DPSOAK00000000000001')], push: { result: 'allow', status: 'Success. Logging you in...' } },
});
let calls = 0;
const sweep = setInterval(() => {
  calls += duo.calls.length;
  duo.calls.length = 0;
}, 1000);
process.on('message', (m: { type: string }) => {
  if (m.type === 'calls') process.send?.({ type: 'calls', calls: calls + duo.calls.length });
  if (m.type === 'stop') {
    clearInterval(sweep);
    void duo.close().then(() => process.exit(0));
  }
});
process.send({ type: 'ready', port: duo.port, ikey: duo.ikey, skey: duo.skey, caCertPath: duo.caCertPath });
