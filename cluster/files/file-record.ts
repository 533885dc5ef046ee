/**
 * A file synced to hosts (migration 0033): what it is (name, kind, size, SHA-256) and, per host,
 * how far it got there. The name is one path segment: the Striker keeps the bytes under it and each
 * host writes them under it in its files directory, so it may never climb out of either.
 */
import { z } from 'zod';

export const fileKinds = ['iso', 'script', 'definition'] as const;
export type FileKind = (typeof fileKinds)[number];

export const fileHostStates = ['pending', 'fetching', 'ready', 'failed'] as const;
export type FileHostState = (typeof fileHostStates)[number];

/** Letters, digits and `. _ + -`, a letter or digit first, no `..`: never a path. */
export const fileNamePattern = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

export const fileNameSchema = z
  .string('must be a file name like AlmaLinux-9.4-x86_64-dvd.iso')
  .min(1, 'must be a file name like AlmaLinux-9.4-x86_64-dvd.iso')
  .max(128, 'must be at most 128 characters')
  .regex(fileNamePattern, 'must be letters, digits and . _ + - only, starting with a letter or digit (no paths)')
  .refine((n) => !n.includes('..'), 'must not contain ..');

export const fileKindSchema = z.enum(fileKinds, { error: 'must be iso, script or definition' });

export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 as 64 lower-case hex digits');

/** Where a file stands on one host. */
export interface FileHost {
  hostId: string;
  state: FileHostState;
  /** Bytes the host holds (while fetching: so far). */
  bytes: number;
  /** Why the last fetch failed (state failed). */
  error: string | null;
  /** The newest file.fetch job for this host. */
  jobId: string | null;
  updatedAt: Date;
}

export const fileCopyStates = ['fetching', 'held', 'failed'] as const;
export type FileCopyState = (typeof fileCopyStates)[number];

/** One Striker's copy of a file's bytes (migration 0040). */
export interface FileCopy {
  /** The Striker's node name. */
  node: string;
  state: FileCopyState;
  /** Bytes it holds (while fetching: so far). */
  bytes: number;
  /** The peer the bytes come (or came) from; null for the Striker that received the upload. */
  source: string | null;
  /** Why its last fetch failed (state failed). */
  error: string | null;
  updatedAt: Date;
}

export interface SyncedFile {
  id: string;
  name: string;
  kind: FileKind;
  sizeBytes: number;
  sha256: string;
  uploadedBy: string | null;
  uploadedAt: Date;
  modifiedAt: Date;
  hosts: FileHost[];
  /** Each Striker's copy of the bytes, by node name. */
  copies: FileCopy[];
}

/** The payload of a `file.fetch` host job: what to fetch and where to put it. */
export interface FileFetchPayload {
  fileId: string;
  name: string;
  sizeBytes: number;
  sha256: string;
  /** The directory on the host the file goes to (`files.hostDirectory`). */
  directory: string;
}

export function fetchPayloadOf(file: Pick<SyncedFile, 'id' | 'name' | 'sizeBytes' | 'sha256'>, directory: string): FileFetchPayload {
  return { fileId: file.id, name: file.name, sizeBytes: file.sizeBytes, sha256: file.sha256, directory };
}

/** Where a file lands on a host. */
export function hostPathOf(directory: string, name: string): string {
  return `${directory.replace(/\/+$/, '')}/${name}`;
}
