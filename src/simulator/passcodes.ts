/**
 * Passcodes of the simulated device. Like Duo Mobile, each user has a 6-digit code that changes
 * every 30 s (TOTP, RFC 6238, on HOTP's dynamic truncation, RFC 4226 §5.3); the web page shows the
 * current one. A code is accepted during its own 30 s step and the next one, so a code read off the
 * page just before it rotates still works. "SMS passcodes" are 7-digit one-time codes the page
 * shows in place of a text message.
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** Length of a TOTP step (ms). */
export const PASSCODE_STEP_MS = 30_000;

/** A fresh random TOTP seed (20 bytes, RFC 4226 §4 R6 recommends 160 bits). */
export function newSeed(): Buffer {
  return randomBytes(20);
}

/** HOTP value of `counter` (RFC 4226 §5.3), as 6 digits. */
export function hotp(seed: Buffer, counter: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', seed).update(msg).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const code = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(code % 1_000_000).padStart(6, '0');
}

/** The code shown now and until when it is shown (ms since epoch). */
export function currentPasscode(seed: Buffer, nowMs: number): { code: string; expiresAt: number } {
  const step = Math.floor(nowMs / PASSCODE_STEP_MS);
  return { code: hotp(seed, step), expiresAt: (step + 1) * PASSCODE_STEP_MS };
}

/** True when `code` is the current code or the one just before it (constant-time compare). */
export function checkTotp(seed: Buffer, code: string, nowMs: number): boolean {
  const step = Math.floor(nowMs / PASSCODE_STEP_MS);
  return [step, step - 1].some((s) => sameText(hotp(seed, s), code));
}

/** `n` one-time 7-digit codes, as Duo texts in an SMS. */
export function smsPasscodes(n = 3): string[] {
  return Array.from({ length: n }, () => String(randomInt(1_000_000, 10_000_000)));
}

/** Constant-time string equality (timingSafeEqual needs equal lengths, so lengths are compared first). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
