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
export { applyManifest, checkManifest, pairNameOf, createManifest, openManifestSecrets, removeManifest, replaceManifest, type ManifestDeps, type ManifestProblems, type SecretSealer } from './actions.js';
export { secretFields, type SecretField } from './manifest-secrets.js';
export { manifestPlan, type FenceLevel, type ManifestPlan, type PlannedAddress, type PlannedHost, type PlannedNetwork } from './manifest-plan.js';
export { MAX_MANIFEST_BYTES, parseManifestYaml, stringifyManifestYaml } from './manifest-yaml.js';
export { manifestRoutes, type ManifestListResponse, type ManifestPlanResponse, type ManifestResource, type ManifestResponse, type ManifestValidationResponse } from './manifest-routes.js';
export { getManifest, listManifests } from './manifest-store.js';
export { manifestRunRoutes, type ManifestRunListResponse, type ManifestRunResponse } from './manifest-run-routes.js';
export { hostIdOfMachine } from './run-manifest.js';
export { findRunnableManifest, manifestRun, manifestRuns, runManifest, type ManifestRunDeps, type ManifestRunView, type RunJobView, type RunManifestResponse } from './manifest-run-actions.js';
export { checkJobInfo, manifestCheckJobKind, type CheckDeps } from './run-check-kind.js';
export { manifestRunOfJob, type ManifestRunRow } from './manifest-run-store.js';
