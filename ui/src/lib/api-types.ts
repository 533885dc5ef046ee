/**
 * The API's responses as the UI reads them: the server's own exported types (type-only imports,
 * erased by the build) seen through `Wire<T>`, so a change on the server is a type error here.
 */
import type { Wire } from './wire.js';
import type { JobDetailResponse, JobKindsResponse, JobListResponse, JobMessageView, JobResponse, JobView } from '../../../striker/jobs/job-routes.js';
import type { Job, JobStatus } from '../../../striker/jobs/job.js';
import type { BootPhase, Machine, MachineDetailResponse, MachineListResponse, MachineResponse, TimelineEntry } from '../../../striker/machines/index.js';
import type { KickstartCheckResponse, KickstartSettingsResponse, KickstartStatus, KickstartStatusResponse } from '../../../kickstart/index.js';
import type { RepoJobResponse, RepoListResponse, RepoView, TreeListResponse, TreeView, UploadFinishResponse, UploadListResponse, UploadResponse } from '../../../repo-sync/index.js';
import type { HostNicsResponse, IdentityResponse, SetupChecklistResponse } from '../../../striker/setup/index.js';
import type { UserListResponse } from '../../../striker/auth/user-routes.js';
import type { User } from '../../../striker/auth/user-store.js';
import type { ApiToken } from '../../../striker/auth/api-token-store.js';
import type { SessionResponse } from '../../../striker/auth/session-routes.js';
import type { Role } from '../../../striker/auth/roles.js';
import type { HostInterfacesResponse, MachineRole, PxeSettingsResponse } from '../../../pxe/index.js';
import type { HostDetailResponse, HostListResponse } from '../../../striker/agent/host-routes.js';
import type { IssuedCredential } from '../../../striker/agent/index.js';
import type { ConflictRecord, PeersOverview, PeerView } from '../../../striker/peers/index.js';
import type { FenceAgentListResponse, FenceAgentResponse, FenceFormField } from '../../../striker/manifest/fence-agents/index.js';
import type { ManifestInput, ManifestListResponse, ManifestPlanResponse, ManifestResponse, ManifestValidationResponse, ManifestView } from '../../../striker/manifest/index.js';
import type { ManifestRunListResponse, ManifestRunResponse, RunManifestResponse } from '../../../striker/manifest/index.js';
import type { AlertHistory as AlertHistoryResponse, AlertView, MailServerView, RecipientRow, TestEmailResult } from '../../../cluster/scancore/alerts/index.js';

export type { JobStatus, MachineRole, Role };

export type LiveJob = Wire<JobView>;
export type JobRecord = Wire<Job>;
export type JobMessage = Wire<JobMessageView>;
export type Jobs = Wire<JobListResponse>;
export type JobDetail = Wire<JobDetailResponse>;
export type JobAnswer = Wire<JobResponse>;
export type JobKinds = Wire<JobKindsResponse>;

export type MachineView = Wire<Machine>;
export type TimelineEntryView = Wire<TimelineEntry>;
export type BootPhaseView = Wire<BootPhase>;
export type Machines = Wire<MachineListResponse>;
export type MachineDetail = Wire<MachineDetailResponse>;
export type MachineAnswer = Wire<MachineResponse>;
export type KickstartStatusView = Wire<KickstartStatus>;
export type KickstartStatusAnswer = Wire<KickstartStatusResponse>;
export type KickstartCheckAnswer = Wire<KickstartCheckResponse>;
export type KickstartSettingsAnswer = Wire<KickstartSettingsResponse>;

export type Repo = Wire<RepoView>;
export type Repos = Wire<RepoListResponse>;
export type RepoJobAnswer = Wire<RepoJobResponse>;
export type Tree = Wire<TreeView>;
export type Trees = Wire<TreeListResponse>;
export type MediaUploadAnswer = Wire<UploadResponse>;
export type MediaUploads = Wire<UploadListResponse>;
export type MediaUploadView = MediaUploads['uploads'][number];
export type MediaUploadFinish = Wire<UploadFinishResponse>;

export type HostDetail = Wire<HostDetailResponse>;
export type HostList = Wire<HostListResponse>;
export type IssuedCredentialAnswer = Wire<IssuedCredential>;

export type Identity = Wire<IdentityResponse>;
export type SetupChecklist = Wire<SetupChecklistResponse>;
export type PxeSettingsAnswer = Wire<PxeSettingsResponse>;
export type HostInterfaces = Wire<HostInterfacesResponse>;
export type HostNics = Wire<HostNicsResponse>;
export type UserView = Wire<User>;
export type Users = Wire<UserListResponse>;
export type ApiTokenView = Wire<ApiToken>;
/** POST /api/tokens: the secret (shown once) and the token's row. */
export type NewApiToken = Wire<{ token: string; info: ApiToken }>;
export type SessionInfo = Wire<SessionResponse>;

export type Peers = Wire<PeersOverview>;
export type Peer = Wire<PeerView>;
export type Conflict = Wire<ConflictRecord>;

export type FenceAgents = Wire<FenceAgentListResponse>;
export type FenceAgentForm = Wire<FenceAgentResponse>;
export type FenceField = Wire<FenceFormField>;
export type Manifests = Wire<ManifestListResponse>;
export type ManifestAnswer = Wire<ManifestResponse>;
export type ManifestDocument = Wire<ManifestView>;
/** What the wizard sends: secrets as text, or { set: true } to keep the stored one. */
export type ManifestDraft = ManifestInput;
export type ManifestValidation = Wire<ManifestValidationResponse>;
export type ManifestPlanAnswer = Wire<ManifestPlanResponse>;

/** A manifest run: POST /api/manifests/:id/run, GET /api/manifests/:id/runs[/:runId]. Its jobs' progress comes on the live job stream. */
export type ManifestRunAnswer = Wire<RunManifestResponse>;
export type ManifestRuns = Wire<ManifestRunListResponse>;
export type ManifestRunDetail = Wire<ManifestRunResponse>;
export type AlertHistory = Wire<AlertHistoryResponse>;
export type AlertEntry = Wire<AlertView>;
export type AlertRecipient = Wire<RecipientRow>;
export type AlertMailServer = Wire<MailServerView>;
export type TestEmailAnswer = Wire<TestEmailResult>;

import type { FileListResponse, FilePushResponse, FileResponse, SyncedFile as SyncedFileRow, FileHost as FileHostRow } from '../../../cluster/files/index.js';
export type FileList = Wire<FileListResponse>;
export type FileAnswer = Wire<FileResponse>;
export type FilePush = Wire<FilePushResponse>;
export type SyncedFile = Wire<SyncedFileRow>;
export type FileHostView = Wire<FileHostRow>;
import type { Server as ServerRow, ServerJobResponse as ServerJobAnswer, ServerListResponse as ServerListAnswer, ServerMigration as ServerMigrationRow, ServerResponse as ServerAnswer } from '../../../cluster/servers/index.js';
export type ServerEntry = Wire<ServerRow>;
export type ServerList = Wire<ServerListAnswer>;
export type ServerDetail = Wire<ServerAnswer>;
export type ServerMigrationEntry = Wire<ServerMigrationRow>;
export type ServerJob = Wire<ServerJobAnswer>;
import type { DefinitionSettleResponse as DefinitionSettleAnswer } from '../../../cluster/servers/index.js';
export type ServerDefinitionView = NonNullable<ServerDetail['definition']>;
export type DefinitionSettle = Wire<DefinitionSettleAnswer>;
/** The live channel (GET /api/live): topics a page follows, and one change. */
export type { LiveTopic } from '../../../striker/events/live-topics.js';
export type { LiveChangeEvent } from '../../../striker/events/live-routes.js';

/** The host page: ScanCore's view of one host, and a metric over time for a plot. */
import type { ScancoreHostResponse, ScancoreSeriesResponse } from '../../../cluster/scancore/index.js';
export type ScancoreHost = Wire<ScancoreHostResponse>;
export type ScancoreSeries = Wire<ScancoreSeriesResponse>;
export type { JobThroughputResponse as JobThroughput } from '../../../striker/jobs/job-throughput-routes.js';

/** The DR host of a pair (cluster/dr): links, protections, the newest boot-sync-shutdown cycle. */
import type { DrLinkResponse as DrLinkAnswer, DrProtectionResponse as DrProtectionAnswer, DrStatusResponse as DrStatusAnswer } from '../../../cluster/dr/index.js';
export type DrStatus = Wire<DrStatusAnswer>;
export type DrLinkJob = Wire<DrLinkAnswer>;
export type DrProtectionJob = Wire<DrProtectionAnswer>;
