// Minimal typings for the parts of npm `radius` (1.1.x, CommonJS, untyped) that authproxy uses.
declare module 'radius' {
  type AttrValue = string | number | Buffer | Date | unknown[];
  interface DecodedPacket {
    code: string;
    identifier: number;
    length: number;
    authenticator: Buffer;
    attributes: Record<string, unknown>;
    raw_attributes: Array<[number, Buffer]>;
  }
  interface EncodeArgs {
    code: string;
    identifier?: number;
    authenticator?: Buffer;
    attributes?: Array<[number | string, AttrValue, ...unknown[]]>;
    secret: string | Buffer;
    add_message_authenticator?: boolean;
  }
  const radius: {
    add_dictionary(file: string): void;
    load_dictionaries(): void;
    attr_name_to_id(name: string, vendorId?: number | string): string | undefined;
    attr_id_to_name(id: number | string, vendorId?: number | string): string | undefined;
    vendor_name_to_id(name: string): string | undefined;
    _attr_to(attr: string | number, vendorId: number | string | undefined, target: number): unknown;
    decode(args: { packet: Buffer; secret: string | Buffer }): DecodedPacket;
    decode_without_secret(args: { packet: Buffer }): DecodedPacket;
    encode(args: EncodeArgs): Buffer;
  };
  export default radius;
}
