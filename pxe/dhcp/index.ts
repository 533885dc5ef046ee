/**
 * Striker's DHCP server (full and proxyDHCP): the public surface `striker serve` wires up.
 * See server.ts for the adapter, decide.ts for the lease engine, codec.ts for the wire format.
 */
export { startDhcpServer, type DhcpServer, type DhcpServerOptions, type DhcpCounters } from './server.js';
export { dhcpConfigSchema, parseDhcpConfig, checkDhcpConfig, type DhcpConfig, type DhcpConfigInput } from './config.js';
export type { LeaseStore } from './lease-store.js';
export { MemoryLeaseStore } from './lease-store.js';
export { LeaseJournal, type LeaseJournalOptions } from './lease-journal.js';
export { viewLease, type Lease, type LeaseChange, type LeaseChangeKind, type LeaseState, type LeaseView } from './lease.js';
export { noMachines, type MachineLookup, type Reservation } from './machine-lookup.js';
export { classifyClient, firmwareClasses, type Classification, type FirmwareClass } from './classify.js';
export { decodePacket, encodePacket } from './codec.js';
export { dumpPacket } from './dump.js';
export { nativeAddonAvailable } from './interface-binding.js';
