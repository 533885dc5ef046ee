/**
 * The API's responses as the UI reads them: the server's own exported types (type-only imports,
 * erased by the build) seen through `Wire<T>`, so a change on the server is a type error here.
 */
import type { Wire } from './wire.js';
import type { JobDetailResponse, JobListResponse, JobMessageView, JobResponse, JobView } from '../../../striker/jobs/job-routes.js';
import type { Job, JobStatus } from '../../../striker/jobs/job.js';
import type { BootPhase, Machine, MachineDetailResponse, MachineListResponse, MachineResponse, TimelineEntry } from '../../../striker/machines/index.js';
import type { KickstartCheckResponse, KickstartStatus, KickstartStatusResponse } from '../../../kickstart/index.js';
import type { RepoJobResponse, RepoListResponse, RepoView, TreeListResponse, TreeView } from '../../../repo-sync/index.js';
import type { IdentityResponse } from '../../../striker/setup/index.js';
import type { UserListResponse } from '../../../striker/auth/user-routes.js';
import type { User } from '../../../striker/auth/user-store.js';
import type { SessionResponse } from '../../../striker/auth/session-routes.js';
import type { Role } from '../../../striker/auth/roles.js';
import type { MachineRole } from '../../../pxe/index.js';
import type { HostDetailResponse } from '../../../striker/agent/host-routes.js';
import type { IssuedCredential } from '../../../striker/agent/index.js';
import type { ConflictRecord, PeersOverview, PeerView } from '../../../striker/peers/index.js';
import type { AlertHistory as AlertHistoryResponse, AlertView, MailServerView, RecipientRow, TestEmailResult } from '../../../cluster/scancore/alerts/index.js';

export type { JobStatus, MachineRole, Role };

export type LiveJob = Wire<JobView>;
export type JobRecord = Wire<Job>;
export type JobMessage = Wire<JobMessageView>;
export type Jobs = Wire<JobListResponse>;
export type JobDetail = Wire<JobDetailResponse>;
export type JobAnswer = Wire<JobResponse>;

export type MachineView = Wire<Machine>;
export type TimelineEntryView = Wire<TimelineEntry>;
export type BootPhaseView = Wire<BootPhase>;
export type Machines = Wire<MachineListResponse>;
export type MachineDetail = Wire<MachineDetailResponse>;
export type MachineAnswer = Wire<MachineResponse>;
export type KickstartStatusView = Wire<KickstartStatus>;
export type KickstartStatusAnswer = Wire<KickstartStatusResponse>;
export type KickstartCheckAnswer = Wire<KickstartCheckResponse>;

export type Repo = Wire<RepoView>;
export type Repos = Wire<RepoListResponse>;
export type RepoJobAnswer = Wire<RepoJobResponse>;
export type Tree = Wire<TreeView>;
export type Trees = Wire<TreeListResponse>;

export type HostDetail = Wire<HostDetailResponse>;
export type IssuedCredentialAnswer = Wire<IssuedCredential>;

export type Identity = Wire<IdentityResponse>;
export type UserView = Wire<User>;
export type Users = Wire<UserListResponse>;
export type SessionInfo = Wire<SessionResponse>;

export type Peers = Wire<PeersOverview>;
export type Peer = Wire<PeerView>;
export type Conflict = Wire<ConflictRecord>;

export type AlertHistory = Wire<AlertHistoryResponse>;
export type AlertEntry = Wire<AlertView>;
export type AlertRecipient = Wire<RecipientRow>;
export type AlertMailServer = Wire<MailServerView>;
export type TestEmailAnswer = Wire<TestEmailResult>;
