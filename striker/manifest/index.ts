/**
 * The manifest area's public surface: the install manifest (schema v1), its names and numbering
 * plan, validation listing every problem, storage with secrets encrypted at rest, the plan view,
 * YAML import/export and the API.
 */
export * from './manifest-schema.js';
export { anvilName, hostName, pairNames, type PairIdentity, type PairNames } from './names.js';
export { defaultAddresses, defaultHostAddress, defaultIpmiAddress, defaultSubnet, hostNumbers } from './numbering-plan.js';
export {
  manifestSteps,
  stepOf,
  validateManifest,
  validateStep,
  type FenceParameterCheck,
  type ManifestCheck,
  type ManifestStep,
  type OtherManifest,
  type RegisteredMachine,
  type ValidationContext,
} from './validate-manifest.js';
export { sampleMachines, sampleManifest } from './sample-manifest.js';
export { manifestSecretsTable, type ManifestRow } from './manifest-store.js';
export { checkManifest, createManifest, openManifestSecrets, removeManifest, replaceManifest, type ManifestDeps, type ManifestProblems, type SecretSealer } from './actions.js';
export { secretFields, type SecretField } from './manifest-secrets.js';
