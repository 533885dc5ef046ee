/**
 * repo-sync's entry points for `striker serve`, jobs, the API and the CLI.
 */
export { syncRepo, sourceFor, type SyncDeps, type SyncResult } from './sync-repo.js';
export { importIso, readInstallationTree, type InstallationTree, type ImportIsoDeps } from './iso/import-iso.js';
export { registerRepoRoutes, type RepoRouteOptions, type RepoRouteCounters } from './content-routes.js';
export { FileStreamer, type FileStreamerCounters } from './file-streamer.js';
export { loadSendFileAddon, sendfileThreadsOf } from './send-file-addon.js';
export { repoConfigSchema, repoSyncConfigSchema, type RepoConfig, type RepoConfigInput, type RepoSyncConfig } from './config.js';
export { repoPaths, UPSTREAM_KEY_FILE, type RepoPaths } from './repo-paths.js';
export { GpgRepoSigner, type RepoSigner } from './verify/repo-signer.js';
export { readCurrentManifest, listSnapshots, currentSnapshotId } from './snapshot-layout.js';
export type { JobContext, SyncProgress, SyncPhase } from './job-context.js';
export { checkCron, nextRun, type RepoSchedule } from './schedule.js';
export { planSync, type SyncPlan, type PlannedPackage, type RetainPolicy } from './plan.js';
export { collectStoreGarbage, type StoreGcResult } from './store/store-gc.js';
export { repoJobKinds, type RepoJobDeps } from './repo-jobs.js';
export { AGENT_PACKAGE, OWN_REPO_NAME, findOwnPackages, ownRepoConfig, publishOwnPackages, publishOwnRepo, readOwnPackages, type OwnPackage, type OwnPackagesOutcome, type OwnRepoState } from './own-packages.js';
export {
  repoRoutes, type LatestRepoJob, type RepoJobResponse, type RepoListResponse, type RepoResponse, type RepoView, type TreeListResponse, type TreeView,
} from './repo-routes.js';
export { RepoScheduler } from './repo-scheduler.js';
export { getRepo, listRepos, listTrees, syncConfiguredRepos, type RepoRecord } from './repo-store.js';
export { addRepo, importIsoSchema, parseRepoConfig, removeRepo, repoNameOf, startIsoImport, startRepoSync } from './actions.js';
export { XmlReader, type XmlHandlers } from './metadata/xml-reader.js';
export { parseRepomd, recordOf, type Repomd, type RepomdRecord } from './metadata/repomd.js';
export { nevra, parsePrimary, type Dependency, type PackageEntry, type ParsePrimaryOptions } from './metadata/primary.js';
export { parseComps, type CompsGroup } from './metadata/comps.js';
export { detectCompression, openMetadata, type Compression, type OpenedMetadata } from './metadata/decompress.js';
export { compareEvr, formatEvr, rpmvercmp, satisfies, type DepFlags, type Evr } from './metadata/rpm-version.js';
export { mediaSetupStep, repoSyncSetupStep, type RepoSetupStep } from './setup-steps.js';
export { uploadRoutes, uploadSessionRoutes, type UploadFinishResponse, type UploadListResponse, type UploadResponse } from './media/upload-routes.js';
export { beginUpload, finishUploadWith, readUpload, receiveChunk, type UploadArea, type VerifiedUpload } from './media/upload-actions.js';
export { listUploads, type MediaUpload, type UploadPurpose } from './media/upload-store.js';
export { selectRange } from './content-conditions.js';
export { freeBytes as mediaFreeBytes, freeBytes } from './media/upload-file.js';
