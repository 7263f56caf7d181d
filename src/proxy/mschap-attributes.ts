/**
 * The MS-CHAP attributes the pipeline looks at or adds (RFC 2548 §2.1, §2.3): which request
 * attributes route a login to MS-CHAPv2 (spec §5.4 C), and `MS-CHAP-Error` on rejects.
 */
import { Attr, attributeValues, resolveAttribute, selectAttributes, vendorAttribute } from '../radius/dictionary.js';
import type { RadiusAttribute } from '../radius/types.js';
import { MSCHAP_ERROR_691 } from './messages.js';

/** Spec §5.4 C.3: any of these makes a request an MS-CHAPv2 login (I). */
export const MSCHAP_REQUEST_ATTRS = ['MS-CHAP-Challenge', 'MS-CHAP2-Response', 'MS-CHAP-NT-Enc-PW'] as const;

/** True when `attrs` carry any of the named (vendor) attributes. */
export function hasAttribute(attrs: readonly RadiusAttribute[], names: readonly string[]): boolean {
  return names.some((n) => {
    const ref = resolveAttribute(n);
    return ref !== undefined && attributeValues(attrs, ref).length > 0;
  });
}

/** `MS-CHAP-Error = "\x00E=691 R=0 V=3"` as a Microsoft vendor attribute. */
export function mschapError691(): RadiusAttribute {
  const ref = resolveAttribute('MS-CHAP-Error')!;
  return vendorAttribute(ref.vendorId!, ref.vendorType!, Buffer.from(MSCHAP_ERROR_691, 'latin1'));
}

/**
 * The `E=` number of the first MS-CHAP-Error (RFC 2759 §6: Ident octet, then
 * `E=eeeeeeeeee R=r C=… V=vvvvvvvvvv M=<msg>`), e.g. 648 for "password expired".
 */
export function mschapErrorCode(attrs: readonly RadiusAttribute[]): number | undefined {
  const value = attributeValues(attrs, resolveAttribute('MS-CHAP-Error')!)[0];
  const m = value === undefined ? null : /E=(\d+)/.exec(value.toString('latin1'));
  return m ? Number(m[1]) : undefined;
}

/** `attrs` without any MS-CHAP-Error. */
export function withoutMschapError(attrs: readonly RadiusAttribute[]): RadiusAttribute[] {
  const carrying = new Set(selectAttributes(attrs, resolveAttribute('MS-CHAP-Error')!));
  return attrs.filter((a) => !carrying.has(a));
}

/** Spec §5.4 I: `attrs` plus MS-CHAP-Error 691 unless they already carry an MS-CHAP-Error. */
export function withMschapError(attrs: readonly RadiusAttribute[]): RadiusAttribute[] {
  return hasAttribute(attrs, ['MS-CHAP-Error']) ? [...attrs] : [...attrs, mschapError691()];
}

/** `attrs` without Reply-Message (spec §5.4 H: the primary's answer is mirrored without one). */
export function withoutReplyMessage(attrs: readonly RadiusAttribute[]): RadiusAttribute[] {
  return attrs.filter((a) => a.type !== Attr.ReplyMessage);
}
