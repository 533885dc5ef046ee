/**
 * The install manifest as the API reads and answers it (the server's own types from
 * striker/manifest, type-only), and the answers of the manifest, plan, fence-agent and run routes
 * the wizard reads. Secrets go in as plaintext or `{ set: true }` ("keep the stored one") and
 * always come back as `{ set: boolean }`.
 */
import type { HostKey, ManifestInput, ManifestView, NetworkKind } from '../../../../striker/manifest/manifest-schema.js';
import type { ManifestRow } from '../../../../striker/manifest/manifest-store.js';
import type { ManifestRunView, RunManifestResponse } from '../../../../striker/manifest/manifest-run-actions.js';
import type { FenceAgentListResponse, FenceAgentResponse } from '../../../../striker/manifest/fence-agents/index.js';
import type { Wire } from '../wire.js';

export type { NetworkKind };
export type HostSlot = HostKey;

/** A manifest as sent to the API: secrets as plaintext or `{ set: true }`. */
export type ManifestDoc = ManifestInput;
/** A manifest as the API shows it: every secret only `{ set }`. */
export type ManifestShown = Wire<ManifestView>;
export type SecretIn = ManifestInput['clusterPassword'];
export type SecretOut = ManifestShown['clusterPassword'];
export type HostDoc = ManifestInput['hosts']['node1'];
export type HostShown = ManifestShown['hosts']['node1'];
export type FenceDeviceDoc = NonNullable<ManifestInput['fenceDevices']>[number];
export type UpsDoc = NonNullable<ManifestInput['upses']>[number];

/** A stored manifest as GET /api/manifests/:id answers it (its document without secrets). */
export type StoredManifest = Wire<ManifestRow>;

export interface ValidationAnswer {
  ok: boolean;
  problems: { path: string; message: string }[];
}

/** GET /api/fence-agents/:agent: the device form generated from the agent's metadata. */
export type FenceAgentAnswer = Wire<FenceAgentResponse>;
export type FenceAgentForm = FenceAgentAnswer['form'];
export type FenceFormField = FenceAgentForm['fields'][number];
/** GET /api/fence-agents */
export type FenceAgentList = Wire<FenceAgentListResponse>;

/** GET /api/manifests/:id/plan */
export type ManifestPlanAnswer = Record<string, unknown>;

/** GET /api/manifests/:id/runs/:runId: the run and the live state of its jobs (the job graph). */
export type RunView = Wire<ManifestRunView>;
export type RunJob = RunView['jobs'][number];
/** POST /api/manifests/:id/run */
export type RunStarted = Wire<RunManifestResponse>;
