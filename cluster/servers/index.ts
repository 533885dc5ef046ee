/**
 * Servers on a node pair: the pure renderers of a server's DRBD resource file and libvirt domain
 * XML, and the allocation of its DRBD minor and ports.
 */
export { absolutePathSchema, hostNameSchema, serverNamePattern, serverNameSchema } from './server-names.js';
export {
  drbdDevicePath, drbdDrHostSchema, drbdHostSchema, drbdResourceInputSchema, maxDrbdMinor, portsPerServer, renderDrbdResource,
  type DrbdResource, type DrbdResourceInput,
} from './drbd-resource.js';
export {
  bridgeFor, domainNetworkSchema, domainXmlInputSchema, osVariants, osVariantSchema, renderDomainXml, serverNetworkKeySchema,
  type DomainSpec, type DomainXmlInput,
} from './domain-xml.js';
export {
  allocateServer, allocationRequestSchema, firstDrbdPort, lastDrbdPort,
  type AllocatedHost, type Allocation, type AllocationRequest, type ExistingServer,
} from './allocate-server.js';
