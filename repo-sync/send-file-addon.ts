/**
 * Loading the sendfile(2) addon in native/ (send-file.c), built with node-gyp by
 * scripts/build-native.mjs. Without it (not built, or a stale build) files are sent through the
 * stream path in file-streamer.ts.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An opaque handle from `start`. */
export type SendHandle = object;

export interface SendFileAddon {
  /** Bumped whenever the functions below change: a stale build is not used. */
  readonly version: number;
  /**
   * Sends `length` bytes of `fileFd` from `offset` on the TCP socket `socketFd` (a duplicate of it,
   * polled for writability on Node's loop). `onDone(code, sent)` runs once, never inside `start`:
   * 0 when everything went, -ENODATA when the file ended early, another -errno otherwise.
   * Returns the handle, or -errno when it could not start.
   */
  start(socketFd: number, fileFd: number, offset: number, length: number, onDone: (code: number, sent: number) => void): SendHandle | number;
  /** Stops a send (on a sender thread at that thread's next wake-up); its onDone does not run. */
  cancel(handle: SendHandle): void;
  /**
   * Where sends started from now on run: 0 on Node's own event loop; n ≥ 1 on n sender threads
   * (each with its own event loop), so the kernel's work of a rack's downloads uses every core
   * and Node's loop stays free for requests, the database and DHCP. 0 until set.
   */
  threads(n: number): void;
}

const ADDON_VERSION = 2;

/** The sender threads for `repos.sendfileThreads`: `auto` is one per core (as nginx's `worker_processes auto`), at most 16. */
export function sendfileThreadsOf(setting: 'auto' | number): number {
  return setting === 'auto' ? Math.min(availableParallelism(), 16) : setting;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Next to the source, or (when running from dist/) next to the source tree. */
const candidates = [join(here, 'native/build/Release/send_file.node'), join(here, '../../repo-sync/native/build/Release/send_file.node')];

let addon: SendFileAddon | null | undefined;

/** The addon, or null when it is not built (or is a stale build). */
export function loadSendFileAddon(): SendFileAddon | null {
  if (addon !== undefined) return addon;
  const path = candidates.find((p) => existsSync(p));
  const loaded = path === undefined ? null : (createRequire(import.meta.url)(path) as SendFileAddon);
  addon = loaded !== null && loaded.version === ADDON_VERSION ? loaded : null;
  return addon;
}
