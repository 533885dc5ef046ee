/**
 * The installed fence agents and their metadata, read from the agents themselves: `fence_<agent>
 * -o metadata` through the command adapter, parsed by fence-metadata-parser.ts.
 *
 * - Only programs in the agent directory whose names match `fence_[a-z0-9_]+` are agents; a name
 *   is checked before anything is looked up, and the program run is always `<agentDir>/<name>`.
 * - Each agent's metadata is cached in memory and, when a cache directory is given, on disk (the
 *   XML as the agent printed it, re-parsed when read). The cache key is the program's inode, size
 *   and mtime: installing another fence-agents package replaces the files, so the key changes and
 *   the next read runs the agent again.
 * - An agent whose metadata cannot be read or parsed is left out of the list (logged once per key);
 *   asking for it names the failure. Requests that arrive together share one run per agent.
 * - The first `list()` runs every agent (a second or so each on a loaded machine, a few at a time):
 *   `load()` at start-up fills the cache before the wizard asks.
 */
import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { CommandRunner } from '../../core/command/run-command.js';
import { DecodeError, NotFoundError, StrikerError, ValidationError } from '../../core/errors/index.js';
import { AGENT_NAME, parseFenceMetadata, type FenceAgentMetadata } from './fence-metadata-parser.js';

export interface FenceAgentSummary {
  name: string;
  description: string;
}

export interface FenceAgentCatalogOptions {
  run: CommandRunner;
  /** Where the agents are installed: /usr/sbin for fence-agents on Debian and EL. */
  agentDir: string;
  /** Directory for the on-disk cache (under the data directory); memory only when absent. */
  cacheDir?: string;
  log?: Logger;
  /** Per agent run; the Python agents print their metadata in well under a second. */
  timeoutMs?: number;
  /** Agents run at once when the whole list is read. */
  concurrency?: number;
}

interface Entry {
  key: string;
  metadata?: FenceAgentMetadata;
  failure?: StrikerError;
}

interface DiskEntry {
  key: string;
  xml: string;
}

export class FenceAgentCatalog {
  private readonly entries = new Map<string, Entry>();
  /** Reads in progress by agent and key: requests that arrive together run the agent once. */
  private readonly reading = new Map<string, Promise<Entry>>();
  private readonly timeoutMs: number;
  private readonly concurrency: number;

  constructor(private readonly options: FenceAgentCatalogOptions) {
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.concurrency = options.concurrency ?? 4;
  }

  /** Every installed agent whose metadata reads, by name, with its short description. */
  async list(): Promise<FenceAgentSummary[]> {
    const names = await this.installed();
    const limit = pLimit(this.concurrency);
    const entries = await Promise.all(names.map((name) => limit(() => this.entryOf(name))));
    const out: FenceAgentSummary[] = [];
    entries.forEach((entry, i) => {
      if (entry?.metadata !== undefined) out.push({ name: names[i]!, description: entry.metadata.shortdesc });
    });
    return out;
  }

  /**
   * One agent's metadata. A name that is not an agent name is a ValidationError (400); one that is
   * not installed a NotFoundError (404); an agent whose metadata fails, that failure.
   */
  async get(agent: string): Promise<FenceAgentMetadata> {
    checkAgentName(agent);
    const entry = await this.entryOf(agent);
    if (entry === undefined) throw new NotFoundError('fence agent', agent);
    if (entry.failure !== undefined) throw entry.failure;
    return entry.metadata!;
  }

  /** The metadata read so far (by `list`, `get` or `load`), without running anything: for synchronous checks. */
  known(agent: string): FenceAgentMetadata | undefined {
    return this.entries.get(agent)?.metadata;
  }

  /** Reads every installed agent (from the cache where its key still holds); returns how many read. */
  async load(): Promise<number> {
    return (await this.list()).length;
  }

  /** Names of the programs in the agent directory that are fence agents, sorted; none when it cannot be read. */
  async installed(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.options.agentDir);
    } catch (error) {
      this.options.log?.warn({ err: error, path: this.options.agentDir }, 'fence agent directory unreadable: is fence-agents installed?');
      return [];
    }
    return names.filter((n) => AGENT_NAME.test(n)).sort();
  }

  private async entryOf(agent: string): Promise<Entry | undefined> {
    const program = join(this.options.agentDir, agent);
    const key = await keyOf(program);
    if (key === undefined) {
      this.entries.delete(agent);
      return undefined;
    }
    const held = this.entries.get(agent);
    if (held?.key === key) return held;
    const slot = `${agent}\0${key}`;
    let pending = this.reading.get(slot);
    if (pending === undefined) {
      pending = this.read(agent, program, key).then((entry) => {
        this.entries.set(agent, entry);
        return entry;
      }).finally(() => this.reading.delete(slot));
      this.reading.set(slot, pending);
    }
    return pending;
  }

  private async read(agent: string, program: string, key: string): Promise<Entry> {
    const fromDisk = await this.fromDisk(agent, key);
    if (fromDisk !== undefined) return fromDisk;
    try {
      // stdin is empty and closed: some agents (fence_legacy) read their options from stdin as well.
      const result = await this.options.run([program, '-o', 'metadata'], { timeoutMs: this.timeoutMs, maxBuffer: 1024 * 1024, input: '' });
      const metadata = parseFenceMetadata(result.stdout, agent);
      if (metadata.name !== agent) throw new DecodeError(`the agent prints the metadata of ${metadata.name}`, agent, 0);
      await this.toDisk(agent, { key, xml: result.stdout });
      return { key, metadata };
    } catch (error) {
      // Unreadable metadata is the installed agent's fault, not the caller's: a 502 like a failed run.
      const failure = error instanceof DecodeError
        ? new StrikerError('COMMAND_FAILED', `${agent} -o metadata printed what Striker cannot read: ${error.message}`, { cause: error, details: { agent } })
        : error instanceof StrikerError ? error : new StrikerError('INTERNAL', `${agent}: ${(error as Error).message}`, { cause: error });
      this.options.log?.warn({ err: failure, agent }, 'fence agent metadata unreadable; agent left out');
      return { key, failure };
    }
  }

  private cachePath(agent: string): string | undefined {
    return this.options.cacheDir === undefined ? undefined : join(this.options.cacheDir, `${agent}.json`);
  }

  /** The cached XML when its key still matches; a damaged cache file is ignored and rewritten. */
  private async fromDisk(agent: string, key: string): Promise<Entry | undefined> {
    const path = this.cachePath(agent);
    if (path === undefined) return undefined;
    try {
      const stored = JSON.parse(await readFile(path, 'utf8')) as Partial<DiskEntry>;
      if (stored.key !== key || typeof stored.xml !== 'string') return undefined;
      const metadata = parseFenceMetadata(stored.xml, path);
      return metadata.name === agent ? { key, metadata } : undefined;
    } catch {
      return undefined;
    }
  }

  private async toDisk(agent: string, entry: DiskEntry): Promise<void> {
    const path = this.cachePath(agent);
    if (path === undefined) return;
    try {
      await mkdir(this.options.cacheDir!, { recursive: true, mode: 0o700 });
      const partial = `${path}.${process.pid}.tmp`;
      await writeFile(partial, JSON.stringify(entry), { mode: 0o600 });
      await rename(partial, path);
    } catch (error) {
      this.options.log?.warn({ err: error, path }, 'fence agent metadata cache not written');
    }
  }
}

export function checkAgentName(agent: string): void {
  if (!AGENT_NAME.test(agent)) {
    throw new ValidationError([{ path: 'agent', message: `must be a fence agent name like fence_ipmilan (fence_ and lower-case letters, digits or _) — got '${agent.slice(0, 80)}'` }], 'fence agent');
  }
}

/** inode:size:mtime of the program, or undefined when it is missing or not an executable file. */
async function keyOf(program: string): Promise<string | undefined> {
  try {
    const s = await stat(program);
    if (!s.isFile() || (s.mode & 0o111) === 0) return undefined;
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return undefined;
  }
}
