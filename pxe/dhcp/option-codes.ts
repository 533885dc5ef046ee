/**
 * DHCP option codes Striker understands, with the shape of each value (RFC 2132 unless noted).
 * The shape drives length validation in the decoder and the text dump; options not listed here
 * are kept as raw bytes and re-encoded unchanged.
 */

export const Opt = {
  Pad: 0,
  SubnetMask: 1,
  Router: 3,
  DomainNameServer: 6,
  HostName: 12,
  DomainName: 15,
  BroadcastAddress: 28,
  NtpServers: 42,
  VendorSpecific: 43,
  RequestedIpAddress: 50,
  IpAddressLeaseTime: 51,
  OptionOverload: 52,
  MessageType: 53,
  ServerIdentifier: 54,
  ParameterRequestList: 55,
  Message: 56,
  MaximumMessageSize: 57,
  RenewalTime: 58,
  RebindingTime: 59,
  VendorClassIdentifier: 60,
  ClientIdentifier: 61,
  TftpServerName: 66,
  BootfileName: 67,
  UserClass: 77,
  ClientFqdn: 81,
  RelayAgentInformation: 82,
  ClientSystemArchitecture: 93,
  ClientNetworkInterfaceId: 94,
  ClientMachineId: 97,
  DomainSearch: 119,
  ClasslessStaticRoute: 121,
  IpxeEncapsulated: 175,
  End: 255,
} as const;

export type OptionShape =
  | 'ip'
  | 'ips'
  | 'u8'
  | 'u16'
  | 'u32'
  | 'text'
  | 'bytes'
  | 'message-type'
  | 'codes'
  | 'client-id'
  | 'user-class'
  | 'fqdn'
  | 'sub-options'
  | 'arch-list'
  | 'ndi'
  | 'uuid'
  | 'domain-search'
  | 'classless-routes'
  | 'overload';

export interface OptionSpec {
  name: string;
  shape: OptionShape;
}

export const optionSpecs: ReadonlyMap<number, OptionSpec> = new Map<number, OptionSpec>([
  [1, { name: 'SubnetMask', shape: 'ip' }],
  [2, { name: 'TimeOffset', shape: 'u32' }],
  [3, { name: 'Router', shape: 'ips' }],
  [6, { name: 'DomainNameServer', shape: 'ips' }],
  [12, { name: 'HostName', shape: 'text' }],
  [15, { name: 'DomainName', shape: 'text' }],
  [26, { name: 'InterfaceMtu', shape: 'u16' }],
  [28, { name: 'BroadcastAddress', shape: 'ip' }],
  [42, { name: 'NtpServers', shape: 'ips' }],
  [43, { name: 'VendorSpecific', shape: 'bytes' }],
  [50, { name: 'RequestedIpAddress', shape: 'ip' }],
  [51, { name: 'IpAddressLeaseTime', shape: 'u32' }],
  [52, { name: 'OptionOverload', shape: 'overload' }],
  [53, { name: 'MessageType', shape: 'message-type' }],
  [54, { name: 'ServerIdentifier', shape: 'ip' }],
  [55, { name: 'ParameterRequestList', shape: 'codes' }],
  [56, { name: 'Message', shape: 'text' }],
  [57, { name: 'MaximumMessageSize', shape: 'u16' }],
  [58, { name: 'RenewalTime', shape: 'u32' }],
  [59, { name: 'RebindingTime', shape: 'u32' }],
  [60, { name: 'VendorClassIdentifier', shape: 'text' }],
  [61, { name: 'ClientIdentifier', shape: 'client-id' }],
  [66, { name: 'TftpServerName', shape: 'text' }],
  [67, { name: 'BootfileName', shape: 'text' }],
  [77, { name: 'UserClass', shape: 'user-class' }],
  [81, { name: 'ClientFqdn', shape: 'fqdn' }],
  [82, { name: 'RelayAgentInformation', shape: 'sub-options' }],
  [93, { name: 'ClientSystemArchitecture', shape: 'arch-list' }],
  [94, { name: 'ClientNetworkInterfaceId', shape: 'ndi' }],
  [97, { name: 'ClientMachineId', shape: 'uuid' }],
  [119, { name: 'DomainSearch', shape: 'domain-search' }],
  [121, { name: 'ClasslessStaticRoute', shape: 'classless-routes' }],
  [175, { name: 'IpxeEncapsulated', shape: 'bytes' }],
]);

/** RFC 2132 §9.6 message types (and RFC 4388 / 6926 extensions by number only). */
export const MessageType = {
  DHCPDISCOVER: 1,
  DHCPOFFER: 2,
  DHCPREQUEST: 3,
  DHCPDECLINE: 4,
  DHCPACK: 5,
  DHCPNAK: 6,
  DHCPRELEASE: 7,
  DHCPINFORM: 8,
} as const;

export type MessageTypeName = keyof typeof MessageType;

const messageTypeNames = new Map<number, string>(Object.entries(MessageType).map(([k, v]) => [v, k]));

export function messageTypeName(value: number): string {
  return messageTypeNames.get(value) ?? `type-${value}`;
}

/**
 * Length rule for each shape: returns a complaint, or `undefined` when `length` fits.
 * Structured shapes (routes, search list, sub-options) are checked by their own decoders.
 */
export function checkOptionLength(shape: OptionShape, length: number): string | undefined {
  switch (shape) {
    case 'ip':
    case 'u32':
      return length === 4 ? undefined : `expected 4 bytes, got ${length}`;
    case 'ips':
      return length >= 4 && length % 4 === 0 ? undefined : `expected a multiple of 4 bytes, got ${length}`;
    case 'u8':
    case 'message-type':
    case 'overload':
      return length === 1 ? undefined : `expected 1 byte, got ${length}`;
    case 'u16':
      return length === 2 ? undefined : `expected 2 bytes, got ${length}`;
    case 'arch-list':
      return length >= 2 && length % 2 === 0 ? undefined : `expected a multiple of 2 bytes, got ${length}`;
    case 'ndi':
      return length === 3 ? undefined : `expected 3 bytes, got ${length}`;
    case 'uuid':
      return length === 17 ? undefined : `expected 17 bytes, got ${length}`;
    case 'client-id':
      return length >= 2 ? undefined : `expected at least 2 bytes, got ${length}`;
    case 'fqdn':
      return length >= 3 ? undefined : `expected at least 3 bytes, got ${length}`;
    case 'text':
    case 'codes':
      // RFC 2132 asks for at least 1 byte; firmware in the wild sends empty host names, keep them.
      return undefined;
    case 'user-class':
    case 'domain-search':
    case 'classless-routes':
    case 'sub-options':
      return length >= 1 ? undefined : 'expected at least 1 byte, got 0';
    case 'bytes':
      return undefined;
  }
}
