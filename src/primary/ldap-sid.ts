/**
 * Windows security identifiers (SIDs) as Active Directory stores them in `objectSid`
 * ([MS-DTYP] §2.4.2.2 binary form), turned into the `S-1-5-21-…-RID` text form ([MS-DTYP] §2.4.2.1).
 */

/**
 * Decodes a binary SID: revision (1 byte), sub-authority count (1 byte), identifier authority
 * (6 bytes, big-endian), then `count` sub-authorities (4 bytes each, little-endian).
 * Returns undefined when the bytes are not a well-formed SID.
 */
export function decodeSid(bytes: Uint8Array): string | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8) return undefined;
  const revision = buf.readUInt8(0);
  const count = buf.readUInt8(1);
  // [MS-DTYP] §2.4.2.2: Revision MUST be 0x01; at most 15 sub-authorities.
  if (revision !== 1 || count > 15 || buf.length !== 8 + 4 * count) return undefined;
  const authority = buf.readUIntBE(2, 6);
  const parts = [`S-1-${authority}`];
  for (let i = 0; i < count; i += 1) parts.push(String(buf.readUInt32LE(8 + 4 * i)));
  return parts.join('-');
}

/**
 * The relative identifier (RID) of a SID: its last sub-authority, e.g. `513` for
 * `S-1-5-21-1-2-3-513`. Undefined when the SID has no sub-authority.
 */
export function ridOf(sid: string): number | undefined {
  const parts = sid.split('-');
  if (parts.length < 4) return undefined;
  const last = parts[parts.length - 1] ?? '';
  return /^\d+$/.test(last) ? Number(last) : undefined;
}
