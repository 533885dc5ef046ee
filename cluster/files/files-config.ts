/**
 * Files synced to hosts (`files:` in Striker's configuration): where hosts keep them, how large an
 * upload may be and the size of its chunks, and how often each Striker looks at its own copies.
 */
import { z } from 'zod';
import { parseOrThrow } from '../../striker/core/validation/zod-problems.js';

const absolutePath = z
  .string()
  .max(1024)
  .regex(/^\/[A-Za-z0-9._+@:,=\/-]*$/, 'must be an absolute path of letters, digits and ._+@:,=-/')
  .refine((p) => !p.split('/').includes('..'), 'must not contain a .. step');

export const filesConfigSchema = z.strictObject({
  /** The directory on every host the files go to (a file keeps its name there). */
  hostDirectory: absolutePath.default('/var/lib/striker/files'),
  /** Largest file an upload may announce. */
  uploadMaxBytes: z.number().int().min(1024 * 1024).max(1024 ** 4).default(64 * 1024 ** 3),
  /** Largest chunk one upload PUT may carry. */
  uploadChunkBytes: z.number().int().min(64 * 1024).max(32 * 1024 * 1024).default(8 * 1024 * 1024),
  /** How often this Striker looks at its copies of the files' bytes besides the live channel's changes. */
  copySweepSeconds: z.number().min(1).max(86_400).default(300),
  /** How long a copy that failed waits before it is fetched again. */
  copyRetrySeconds: z.number().min(1).max(86_400).default(300),
});

export type FilesConfig = z.output<typeof filesConfigSchema>;

export function parseFilesConfig(input: unknown): FilesConfig {
  return parseOrThrow(filesConfigSchema, input ?? {}, 'files configuration', 'files');
}
