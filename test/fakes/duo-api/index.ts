/** The fake Duo Auth API for tests: start it, give users scenarios, switch outages on and off. */
export { startFakeDuoApi } from './server.js';
export type * from './types.js';
import type { FakeDevice } from './types.js';

/** A smartphone with Duo Mobile: push, phone call, SMS, passcodes (spec §6.3 capabilities). */
export function smartphone(device: string, number = 'XXX-XXX-1234'): FakeDevice {
  return { device, type: 'phone', number, capabilities: ['auto', 'push', 'sms', 'phone', 'mobile_otp'] };
}

/** A landline: phone calls only. */
export function landline(device: string, number = 'XXX-XXX-5678'): FakeDevice {
  return { device, type: 'phone', number, capabilities: ['auto', 'phone'] };
}

/** A mobile phone without Duo Mobile: phone calls and SMS. */
export function featurePhone(device: string, number = 'XXX-XXX-9012'): FakeDevice {
  return { device, type: 'phone', number, capabilities: ['auto', 'phone', 'sms'] };
}

/** The `ikey`/`skey`/`api_host`/`api_port` lines of a server section that uses `duo` (a fake or the simulator). */
export function duoSectionLines(duo: { readonly ikey: string; readonly skey: string; readonly port: number }): string {
  return `ikey=${duo.ikey}\nskey=${duo.skey}\napi_host=127.0.0.1\napi_port=${duo.port}`;
}
