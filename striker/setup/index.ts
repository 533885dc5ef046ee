/**
 * The setup area's public surface: the Striker's identity (first-run wizard), its validation and
 * storage, the plan applying it makes, and the `striker.configure` job.
 */
export { identitySchema, type Identity } from './identity-schema.js';
export { loadIdentity } from './identity-store.js';
export { configureJobKind } from './configure-job.js';
export { systemHostApplier, type HostApplier } from './host-applier.js';
export { planHostNetwork, isBridged, type HostNetworkSpec, type KeyfileNetwork, type NetworkPlan, type PlannedFile, type PlannedCommand } from './network-plan.js';
export { setupIdentityRoutes, type IdentityResponse } from './setup-routes.js';
export { applyIdentity, storeIdentity } from './actions.js';
