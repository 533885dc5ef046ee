/**
 * The install manifest as the API reads and answers it, and the answers of the manifest, plan,
 * fence-agent and run routes, under the names the wizard uses: the server's own types, through
 * api-types.ts where the UI keeps them (type-only). Secrets go in as plaintext or `{ set: true }` ("keep the stored one") and
 * always come back as `{ set: boolean }`.
 */
import type { HostKey, ManifestInput, NetworkKind } from '../../../../striker/manifest/manifest-schema.js';
import type {
  FenceAgentForm as ApiFenceAgentForm, FenceAgents, ManifestAnswer, ManifestDocument, ManifestPlanAnswer, ManifestRunAnswer, ManifestRunDetail, ManifestRuns, Manifests, ManifestValidation,
} from '../api-types.js';

export type { NetworkKind };
export type HostSlot = HostKey;

/** A manifest as sent to the API: secrets as plaintext or `{ set: true }`. */
export type ManifestDoc = ManifestInput;
/** A manifest as the API shows it: every secret only `{ set }`. */
export type ManifestShown = ManifestDocument;
export type SecretIn = ManifestInput['clusterPassword'];
export type SecretOut = ManifestShown['clusterPassword'];
export type HostDoc = ManifestInput['hosts']['node1'];
export type HostShown = ManifestShown['hosts']['node1'];
export type FenceDeviceDoc = NonNullable<ManifestInput['fenceDevices']>[number];
export type UpsDoc = NonNullable<ManifestInput['upses']>[number];

/** A stored manifest as the API shows it (its document without secrets). */
export type StoredManifest = ManifestAnswer['manifest'];
/** GET, POST, PUT /api/manifests[/:id] */
export type { ManifestAnswer };
/** GET /api/manifests */
export type ManifestList = Manifests;
/** GET /api/manifests/:id/plan: the names, addresses, fence levels and UPS mapping as the cluster will see them. */
export type PlanAnswer = ManifestPlanAnswer;
export type Plan = PlanAnswer['plan'];

/** POST /api/manifests/validate */
export type ValidationAnswer = ManifestValidation;

/** GET /api/fence-agents/:agent: the device form generated from the agent's metadata. */
export type FenceAgentAnswer = ApiFenceAgentForm;
export type FenceAgentForm = FenceAgentAnswer['form'];
export type FenceFormField = FenceAgentForm['fields'][number];
/** GET /api/fence-agents */
export type FenceAgentList = FenceAgents;


/** GET /api/manifests/:id/runs/:runId: the run and the live state of its jobs (the job graph). */
export type RunAnswer = ManifestRunDetail;
export type RunView = RunAnswer['run'];
export type RunJob = RunView['jobs'][number];
/** GET /api/manifests/:id/runs: newest first. */
export type RunList = ManifestRuns;
/** POST /api/manifests/:id/run */
export type RunStarted = ManifestRunAnswer;
