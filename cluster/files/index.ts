/**
 * Files synced to hosts: ISOs, scripts and server definitions uploaded to a Striker (the chunked,
 * checksummed upload of repo-sync), fetched by each host's agent over HTTP with Range resume and
 * checked against their SHA-256 before they are ready; each Striker's copy of the bytes, pulled
 * from a peer that holds them; the API, the actions the CLI shares, and
 * the wait a server's provisioning has on its ISOs.
 */
export { fetchPayloadOf, fileCopyStates, fileHostStates, fileKinds, fileKindSchema, fileNameSchema, hostPathOf, type FileCopy, type FileCopyState, type FileFetchPayload, type FileHost, type FileHostState, type FileKind, type SyncedFile } from './file-record.js';
export { filesConfigSchema, parseFilesConfig, type FilesConfig } from './files-config.js';
export {
  addFileSchema, addLocalFile, ensureFileOnHosts, isoFetchWaits, fileForHost, fileForServerIso, findFile, finishFileUpload, listFiles, pushFile, pushFileSchema, removeFile,
  reportHostState, startFileUpload, strikerPathOf, type FilesDeps,
} from './actions.js';
export { fileFetchConfigSchema, parseFileFetchConfig } from './file-fetch.js';
export { FileCopyKeeper, type FilePeers, type PeerLink } from './file-copy-keeper.js';
export { filesRoutes, type FileHeldResponse, type FileListResponse, type FilePushResponse, type FileResponse } from './files-routes.js';
