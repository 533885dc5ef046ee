/**
 * Keeps this Striker's copies of the files' bytes: every `files` row's bytes in its store
 * (`<dir>/<id>/<name>`, where the upload puts them), pulled from a peer Striker that holds them,
 * and none of a file that was removed (`copy-plan.ts` decides; this carries it out).
 *
 * It looks at start, whenever the live channel announces a change on the `files` topic (a file
 * added or removed on any Striker, a peer's copy held), and every `sweepMs` besides (a lost LISTEN,
 * a failed copy due for another try). One look runs at a time; a change during a look asks for
 * one more.
 *
 * A fetch asks the peer's `GET /api/peering/files/:id/content` (the peer's own credential for this
 * Striker) into `<dir>/<id>/.<name>.part`, with `Range` from the part's length after a cut, so it
 * never starts over; the whole part's SHA-256 is compared before it is renamed into place and
 * recorded as held: a copy with other bytes is deleted, never kept. This Striker's row in
 * `file_copies` says where it stands (fetching with bytes so far and from which peer, held,
 * failed with why), for the Files page and for agents choosing a Striker that holds the bytes.
 */
import { readdir, rename, rm, stat, mkdir, open } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import type { Database } from '../../striker/db/database.js';
import { isUuid } from '../../striker/core/validation/uuid.js';
import { planCopies, type CopyAction } from './copy-plan.js';
import { localNode, recordCopy, recordCopyProgress, scanCopies, type CopyView } from './file-copies-store.js';
import { receivePart, Refused, sha256Of } from './part-receiver.js';

/** A peer Striker as this one calls it. */
export interface PeerLink {
  /** Its node name. */
  name: string;
  /** Its API base URL. */
  address: string;
  /** Headers that authenticate this Striker to it. */
  headers: Record<string, string>;
}

/** What the files area needs of peering: the peers to fetch from, and who is calling. */
export interface FilePeers {
  links(): Promise<PeerLink[]>;
  /** The peer a call's headers authenticate (its node name); throws UNAUTHENTICATED otherwise. */
  authenticate(headers: Record<string, string | string[] | undefined>): Promise<string>;
}

/** The live channel, as far as the keeper follows it. */
export interface FileChanges {
  subscribe(s: { topics: ReadonlySet<'files'>; onChange: () => void; onReconnect?: () => void }): () => void;
}

export interface CopyKeeperDeps {
  db: Database;
  /** The store: `<dataDir>/files`. */
  dir: string;
  peers: FilePeers;
  changes?: FileChanges;
  logger: Logger;
  freeBytes: (dir: string) => Promise<number>;
  sweepMs: number;
  /** How long a failed copy waits before it is tried again. */
  retryAfterMs: number;
  /** How long a peer may stay silent before the fetch counts as cut. */
  idleTimeoutMs?: number;
  /** Attempts per look at one file (each goes on from the part's length), before it is failed. */
  attempts?: number;
  /** How often (ms) the row's byte count moves while fetching. */
  progressEveryMs?: number;
}

const PROGRESS_MS = 2000;
/** How long changes are gathered into one look. */
const POKE_GATHER_MS = 500;

export class FileCopyKeeper {
  private readonly root: string;
  private node: string | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private pokeTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly abort = new AbortController();
  private readonly busy = new Set<string>();

  constructor(private readonly deps: CopyKeeperDeps) {
    this.root = resolve(deps.dir);
  }

  start(): void {
    // Changes come in bursts (a fetch's progress on any Striker is a change): they are gathered
    // for a moment into one look.
    const poke = () => {
      if (this.pokeTimer !== undefined || this.stopped) return;
      this.pokeTimer = setTimeout(() => {
        this.pokeTimer = undefined;
        void this.look();
      }, POKE_GATHER_MS);
    };
    this.unsubscribe = this.deps.changes?.subscribe({ topics: new Set(['files'] as const), onChange: poke, onReconnect: poke });
    this.timer = setInterval(poke, this.deps.sweepMs);
    this.timer.unref();
    void this.look();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.timer);
    clearTimeout(this.pokeTimer);
    this.abort.abort(new Error('striker serve is stopping'));
    await this.running;
  }

  /** Looks once (or, when a look is running, once more after it); resolves when that look ended. */
  look(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.lookOnce();
        } catch (error) {
          if (!this.stopped) this.deps.logger.warn({ err: error }, 'looking at this Striker\'s file copies failed');
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private pathOf(file: Pick<CopyView, 'id' | 'name'>, part = false): string {
    const path = resolve(this.root, file.id, part ? `.${file.name}.part` : file.name);
    // Ids are uuids and names one path segment (the table's checks); a path out of the store is refused all the same.
    if (!isUuid(file.id) || !path.startsWith(this.root + sep)) throw new Error(`${file.id}/${file.name} is not a path inside ${this.root}`);
    return path;
  }

  private async lookOnce(): Promise<void> {
    this.node ??= await localNode(this.deps.db);
    // The directories are read before the rows: a directory seen here was made before the rows
    // were read, so its upload was open then or its file row existed (they commit together).
    const directories = await readdir(this.root).then((names) => names.filter(isUuid), () => []);
    const scan = await scanCopies(this.deps.db, this.node);
    const links = await this.deps.peers.links();
    const onDisk = new Map<string, number>();
    for (const f of scan.files) {
      const size = await stat(this.pathOf(f)).then((s) => s.size, () => undefined);
      if (size !== undefined) onDisk.set(f.id, size);
    }
    const actions = planCopies({ ...scan, onDisk, directories, peers: links.map((l) => l.name), busy: this.busy, now: new Date(), retryAfterMs: this.deps.retryAfterMs });
    for (const action of actions) {
      if (this.stopped) return;
      await this.carryOut(action, links);
    }
  }

  private async carryOut(action: CopyAction, links: PeerLink[]): Promise<void> {
    const node = this.node!;
    if (action.kind === 'remove') {
      await rm(join(this.root, action.id), { recursive: true, force: true });
      this.deps.logger.info({ fileId: action.id }, 'removed the bytes of a file that no longer exists');
      return;
    }
    const file = action.file;
    this.busy.add(file.id);
    try {
      if (action.kind === 'verify') {
        const sha256 = await sha256Of(this.pathOf(file));
        if (sha256 === file.sha256) {
          await recordCopy(this.deps.db, file.id, node, { state: 'held', bytes: file.sizeBytes, source: null, error: null });
          return;
        }
        await rm(this.pathOf(file), { force: true });
        const error = `the bytes of ${file.name} on this Striker had SHA-256 ${sha256}, not ${file.sha256}; they were deleted`;
        await recordCopy(this.deps.db, file.id, node, { state: 'failed', bytes: 0, source: null, error });
        this.deps.logger.warn({ fileId: file.id }, error);
        return;
      }
      if (action.kind === 'no-source') {
        await recordCopy(this.deps.db, file.id, node, { state: 'failed', bytes: 0, source: null, error: `this Striker does not have the bytes of ${file.name}, and no peer Striker can be asked for them` });
        return;
      }
      await this.fetch(file, action.sources.map((name) => links.find((l) => l.name === name)!));
    } finally {
      this.busy.delete(file.id);
    }
  }

  /** Fetches a file's bytes from the first peer that gives them; records where the copy ends. */
  private async fetch(file: CopyView, sources: PeerLink[]): Promise<void> {
    const node = this.node!;
    const part = this.pathOf(file, true);
    await mkdir(resolve(part, '..'), { recursive: true });
    const attempts = this.deps.attempts ?? 3;
    const answers: string[] = [];
    let held = await stat(part).then((s) => s.size, () => 0);
    if (held > file.sizeBytes) {
      await rm(part, { force: true });
      held = 0;
    }
    const free = await this.deps.freeBytes(this.root);
    if (free < file.sizeBytes - held) {
      await recordCopy(this.deps.db, file.id, node, { state: 'failed', bytes: held, source: null, error: `${file.sizeBytes - held} bytes are needed for ${file.name} and only ${free} are free on this Striker` });
      return;
    }
    for (const peer of sources) {
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (this.stopped) return;
        held = await stat(part).then((s) => s.size, () => 0);
        await recordCopy(this.deps.db, file.id, node, { state: 'fetching', bytes: held, source: peer.name, error: null });
        let sha256: string;
        try {
          sha256 = held === file.sizeBytes ? await sha256Of(part) : await receivePart({
            url: new URL(`api/peering/files/${file.id}/content`, peer.address).toString(),
            headers: peer.headers,
            part,
            held,
            sizeBytes: file.sizeBytes,
            signal: this.abort.signal,
            idleTimeoutMs: this.deps.idleTimeoutMs ?? 30_000,
            progress: { everyMs: this.deps.progressEveryMs ?? PROGRESS_MS, report: (bytes) => recordCopyProgress(this.deps.db, file.id, node, bytes) },
          });
        } catch (error) {
          if (this.stopped) return;
          const why = error instanceof Error ? error.message : String(error);
          this.deps.logger.warn({ fileId: file.id, peer: peer.name, err: error }, 'fetching a file from a peer Striker stopped');
          answers.push(`${peer.name}: ${why}`);
          // A refusal (no bytes there) sends the fetch to the next peer; a cut goes on from the part's length.
          if (error instanceof Refused) break;
          continue;
        }
        if (sha256 !== file.sha256) {
          await rm(part, { force: true });
          answers.push(`${peer.name}: its copy has SHA-256 ${sha256}, not ${file.sha256} (deleted here)`);
          this.deps.logger.warn({ fileId: file.id, peer: peer.name }, `the copy of ${file.name} from ${peer.name} has the wrong SHA-256; deleted`);
          break;
        }
        const handle = await open(part, 'r+');
        try {
          await handle.datasync();
        } finally {
          await handle.close();
        }
        await rename(part, this.pathOf(file));
        await recordCopy(this.deps.db, file.id, node, { state: 'held', bytes: file.sizeBytes, source: peer.name, error: null });
        this.deps.logger.info({ fileId: file.id, peer: peer.name }, `fetched ${file.name} from a peer Striker`);
        return;
      }
    }
    held = await stat(part).then((s) => s.size, () => 0);
    await recordCopy(this.deps.db, file.id, node, { state: 'failed', bytes: held, source: null, error: `no peer Striker gave the bytes of ${file.name}: ${answers.join('; ')}` });
  }
}
