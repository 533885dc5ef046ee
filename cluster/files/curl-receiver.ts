/**
 * Receives a file's bytes from a Striker's content route into a part file with `curl` (through
 * the command adapter, argv only), the same contract as `receivePart`: from the part's length on
 * (`--continue-at`, i.e. `Range: bytes=<held>-`, appended to the part), the SHA-256 of the whole
 * part once it holds every byte.
 *
 * curl writes the part itself; a hashing thread (`WorkerSha256.follow`) reads it behind curl from
 * the page cache, so no byte of the body passes through the agent's main thread. What curl is
 * asked and what is checked:
 *
 *   - `--fail`: an HTTP error answer (≥ 400) is never written into the part; it is `Refused` with
 *     its status and its text (read with a second, small GET, at most 2000 bytes).
 *   - The answer's head (`--dump-header -`) is checked once curl ended: a 206 must carry
 *     `Content-Range: bytes <held>-<size-1>/<size>`, a 200 answers only a request from byte 0, and
 *     `Content-Length` must be the bytes asked. An answer that breaks this is refused (or an error,
 *     for a wrong length) and the part is cut back to what it held before it.
 *   - A Striker that ignores the Range (200, curl exit 33) restarts the part from byte 0.
 *   - `--max-filesize`: an announced length beyond the bytes asked is refused before any is
 *     written; the hashing thread ends the transfer when the part grows past the file's size (an
 *     answer without a length that sends more).
 *   - Silence: `--connect-timeout` and `--speed-limit 1 --speed-time` (whole seconds); a cut keeps
 *     what arrived in the part (curl appends in order), so the next request goes on from there.
 *   - The credential goes to curl on its standard input (`--config -`), never in its argv; no
 *     curlrc is read (`--disable`) and no proxy from the environment is used (as node:http's client).
 * Written bytes are flushed to the disk on the side every `syncEveryBytes`, like `receivePart`.
 * curl is the agent's child: a cancelled job ends it (the adapter's signal), and if the agent
 * itself dies, systemd ends what is left in the unit's cgroup (KillMode=mixed) before a restart,
 * so no curl outlives the agent to append to a part the next fetch goes on from.
 */
import { open, truncate, stat, type FileHandle } from 'node:fs/promises';
import { CommandError } from '../../striker/core/command/command-error.js';
import { runCommand, type CommandRunner } from '../../striker/core/command/run-command.js';
import { Refused, type PartRequest } from './part-receiver.js';
import { FollowControl, WorkerSha256 } from './sha256-worker.js';

/** Written bytes flushed to the disk on the side each time this many more were written (by default). */
const SYNC_EVERY_BYTES = 128 * 1024 * 1024;
/** How often the transfer is looked at for progress reports and syncs (ms). */
const TICK_MS = 200;
/** The slowest transfer the adapter's deadline allows (bytes per second), beyond the idle limit. */
const SLOWEST_BYTES_PER_SECOND = 100_000;

/** The Striker answered a Range with the whole file (200): the part starts again from byte 0. */
class RangeIgnored extends Error {}

/** One curl option file line (`--config -`): `name = "value"` with `\` and `"` escaped. */
function configLine(name: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw new TypeError(`a ${name} for curl cannot hold a line break or NUL`);
  return `${name} = "${value.replace(/[\\"]/g, (c) => `\\${c}`)}"\n`;
}

/** The argv of one transfer from byte `from` on (the URL and the credential go on stdin). */
export function curlArgv(r: Pick<PartRequest, 'part' | 'sizeBytes' | 'idleTimeoutMs'>, from: number): string[] {
  const seconds = String(Math.max(1, Math.ceil(r.idleTimeoutMs / 1000)));
  return [
    'curl', '--disable', '--config', '-',
    '--silent', '--show-error', '--fail', '--globoff', '--proto', '=http,https', '--max-redirs', '0', '--noproxy', '*',
    '--connect-timeout', seconds, '--speed-limit', '1', '--speed-time', seconds,
    '--max-filesize', String(r.sizeBytes - from),
    ...(from > 0 ? ['--continue-at', String(from)] : []),
    '--dump-header', '-', '--output', r.part,
  ];
}

/** The last answer's head in curl's `--dump-header` output: status and headers (names in lower case). */
export function lastHead(dump: string): { status: number; headers: Map<string, string> } | undefined {
  const blocks = dump.split(/\r?\n\r?\n/).filter((b) => /^HTTP\/[\d.]+ \d{3}/.test(b.trimStart()));
  const block = blocks.at(-1);
  if (block === undefined) return undefined;
  const [statusLine, ...lines] = block.trimStart().split(/\r?\n/);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(statusLine!)![1]), headers };
}

/** Fetches the bytes from `held` on into the part with curl; the SHA-256 of the whole part once it holds every byte. */
export async function receivePartWithCurl(r: PartRequest, run: CommandRunner = runCommand): Promise<string> {
  try {
    return await transfer(r, r.held, run);
  } catch (error) {
    if (!(error instanceof RangeIgnored)) throw error;
    return await transfer(r, 0, run);
  }
}

async function transfer(r: PartRequest, from: number, run: CommandRunner): Promise<string> {
  const { sizeBytes, part } = r;
  // From byte 0 the part starts empty (curl would truncate it only at its first byte); from
  // `held` on, curl appends to it.
  if (from === 0) await (await open(part, 'w')).close();
  const hasher = new WorkerSha256();
  const control = new FollowControl();
  const ended = new AbortController();
  let hashFailure: unknown;
  const followed = hasher.follow(part, sizeBytes, control).catch((error: unknown) => {
    hashFailure = error;
    ended.abort(error);
  });
  let syncHandle: FileHandle | undefined;
  let syncing: Promise<void> | undefined;
  let syncFailure: unknown;
  const syncEvery = r.syncEveryBytes === undefined ? SYNC_EVERY_BYTES : r.syncEveryBytes === 0 ? Infinity : r.syncEveryBytes;
  let nextSync = from + syncEvery;
  let reporting: Promise<void> | undefined;
  let reportFailure: unknown;
  let nextReport = performance.now() + (r.progress?.everyMs ?? Infinity);
  // Progress and syncs on the side, by what the hashing thread has read (bytes in the part).
  const ticker = setInterval(() => {
    const bytes = control.hashed();
    if (bytes >= nextSync && syncing === undefined) {
      nextSync = bytes + syncEvery;
      syncing = (async () => {
        syncHandle ??= await open(part, 'r');
        await syncHandle.datasync();
      })().catch((error: unknown) => void (syncFailure ??= error)).finally(() => (syncing = undefined));
    }
    if (r.progress !== undefined && reporting === undefined && performance.now() >= nextReport) {
      nextReport = performance.now() + r.progress.everyMs;
      reporting = r.progress.report(bytes).catch((error: unknown) => {
        reportFailure ??= error;
        ended.abort(error);
      }).finally(() => (reporting = undefined));
    }
  }, Math.max(10, Math.min(TICK_MS, r.progress?.everyMs ?? TICK_MS)));
  const input = Object.entries(r.headers).map(([name, value]) => configLine('header', `${name}: ${value}`)).join('') + configLine('url', r.url);
  try {
    let dump: string;
    try {
      const result = await run(curlArgv(r, from), {
        input,
        signal: AbortSignal.any([r.signal, ended.signal]),
        timeoutMs: r.idleTimeoutMs + Math.ceil(((sizeBytes - from) / SLOWEST_BYTES_PER_SECOND) * 1000) + 3_600_000,
      });
      dump = result.stdout;
    } catch (error) {
      control.stop();
      if (r.signal.aborted) throw error;
      if (hashFailure !== undefined) {
        await truncate(part, from);
        throw new Error(`the Striker's answer is longer than the ${sizeBytes - from} bytes asked (${messageOf(hashFailure)})`, { cause: hashFailure });
      }
      if (reportFailure !== undefined) throw reportFailure;
      if (!(error instanceof CommandError)) throw error;
      throw await named(error, r, from);
    }
    control.ended();
    const head = lastHead(dump);
    const cutBack = async (problem: Error): Promise<never> => {
      control.stop();
      await truncate(part, from);
      throw problem;
    };
    if (head === undefined) return await cutBack(new Error('curl ended without an HTTP answer'));
    const contentRange = head.headers.get('content-range');
    if (head.status === 206 && from > 0) {
      if (contentRange !== `bytes ${from}-${sizeBytes - 1}/${sizeBytes}`) {
        return await cutBack(new Refused(`answered Range bytes=${from}- with Content-Range '${contentRange ?? ''}'`));
      }
    } else if (head.status !== 200 || from > 0) {
      return await cutBack(new Refused(`HTTP ${head.status}${from > 0 ? ` to Range bytes=${from}-` : ''} is not the file's bytes`));
    }
    const contentLength = head.headers.get('content-length');
    if (contentLength !== String(sizeBytes - from)) {
      return await cutBack(new Error(`the Striker's answer has Content-Length '${contentLength ?? ''}', not the ${sizeBytes - from} bytes from byte ${from}`));
    }
    await followed;
    if (hashFailure !== undefined) throw new Error(`the Striker's answer did not fill the part: ${messageOf(hashFailure)}`, { cause: hashFailure });
    await reporting;
    if (reportFailure !== undefined) throw reportFailure;
    await syncing;
    if (syncFailure !== undefined) throw syncFailure;
    return await hasher.digest();
  } finally {
    clearInterval(ticker);
    control.stop();
    await followed;
    await reporting;
    await syncing;
    await syncHandle?.close();
    await hasher.close();
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A failed curl as the error an operator reads: refused (the next Striker is asked) or a transport failure (the part is kept). */
async function named(error: CommandError, r: PartRequest, from: number): Promise<Error> {
  const lines = error.stderr.trim().split('\n');
  const said = lines.find((line) => /^curl: \(\d+\)/.test(line)) ?? lines.at(-1) ?? '';
  const head = lastHead(error.stdout);
  const got = async () => Math.max(0, ((await stat(r.part).then((s) => s.size, () => from)) - from));
  // The whole file to a Range (curl refuses it: 33, or its length is more than asked: 63).
  if (from > 0 && head?.status === 200 && (error.exitCode === 33 || error.exitCode === 63)) return new RangeIgnored();
  switch (error.failure === 'exit' ? error.exitCode : undefined) {
    case 22:
      return new Refused(`HTTP ${head?.status ?? '?'}${await errorText(r)}`);
    case 33:
      return new Refused(`answered Range bytes=${from}- with Content-Range '${head?.headers.get('content-range') ?? ''}'`);
    case 63:
      return new Refused(`the Striker announced Content-Length '${head?.headers.get('content-length') ?? ''}', more than the ${r.sizeBytes - from} bytes asked`);
    case 28:
      return new Error(`the Striker was silent for ${Math.max(1, Math.ceil(r.idleTimeoutMs / 1000))} s (${said})`, { cause: error });
    case 18:
    case 52:
    case 56:
      return new Error(`the Striker closed the connection before the whole answer, after ${await got()} of ${r.sizeBytes - from} bytes (${said})`, { cause: error });
    case 1:
    case 8:
      return new Error(`not an HTTP answer (${said})`, { cause: error });
    default:
      return new Error(`curl could not fetch from the Striker: ${said}`, { cause: error });
  }
}

/** The text of an error answer (its JSON `error.message` when it has one), read again with a small GET; '' when there is none. */
async function errorText(r: PartRequest): Promise<string> {
  try {
    const res = await fetch(r.url, { headers: r.headers, signal: AbortSignal.any([r.signal, AbortSignal.timeout(5000)]) });
    if (res.ok || res.body === null) {
      await res.body?.cancel();
      return '';
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    const reader = res.body.getReader();
    while (size < 2000) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.length;
    }
    await reader.cancel();
    const text = Buffer.concat(parts).subarray(0, 2000).toString('utf8').slice(0, 300);
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch {
      // not JSON: the text as it is
    }
    return message === '' ? '' : `: ${message}`;
  } catch {
    return '';
  }
}
