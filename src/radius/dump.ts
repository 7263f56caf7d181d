/**
 * Debug packet dumps (`debug=true`, spec §1.8) that never show a password: User-Password and
 * every attribute the dictionary marks as hidden are replaced by `********`.
 */
import { Attr, attributeName } from './dictionary.js';
import type { RadiusAttribute } from './types.js';

const MASKED = new Set<number>([Attr.UserPassword, Attr.ChapPassword, 69 /* Tunnel-Password */]);

/** One line per attribute: `  Name (type) = <hex or text>`, secrets masked. */
export function dumpAttributes(attrs: readonly RadiusAttribute[]): string {
  return attrs
    .map((a) => {
      const name = attributeName(a);
      if (MASKED.has(a.type)) return `  ${name} = ********`;
      const printable = /^[\x20-\x7e]*$/.test(a.value.toString('latin1'));
      return `  ${name} = ${printable ? JSON.stringify(a.value.toString('latin1')) : `0x${a.value.toString('hex')}`}`;
    })
    .join('\n');
}

/** A packet dump: header fields then attributes. */
export function dumpPacket(code: number, identifier: number, attrs: readonly RadiusAttribute[]): string {
  return `code ${code}, id ${identifier}, ${attrs.length} attributes\n${dumpAttributes(attrs)}`;
}
