/**
 * Calls from this Striker to another Striker's API: the join (with an admin API token of the
 * other Striker) and, once peered, the calls made with the shared peer token (leave, keys,
 * re-seed). Answers are size-bounded and validated; a failure is PEER_UNREACHABLE naming the peer
 * and carrying its error code and message when it sent one.
 */
import type { z } from 'zod';
import { StrikerError } from '../core/errors/index.js';
import { problemsFromZod } from '../core/validation/zod-problems.js';
import { PEER_ID_HEADER, PEER_TOKEN_HEADER } from './peering-wire.js';

const MAX_ANSWER_BYTES = 256 * 1024;

export interface PeerCall {
  /** The peer's API base URL. */
  address: string;
  /** How the peer is named in errors. */
  peerName: string;
  path: string;
  body: unknown;
  auth: { bearer: string } | { peerId: string; token: string };
  timeoutMs: number;
}

export async function callPeer<S extends z.ZodType>(call: PeerCall, answer: S): Promise<z.output<S>> {
  const url = new URL(call.path.replace(/^\//, ''), call.address);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if ('bearer' in call.auth) headers.authorization = `Bearer ${call.auth.bearer}`;
  else {
    headers[PEER_ID_HEADER] = call.auth.peerId;
    headers[PEER_TOKEN_HEADER] = call.auth.token;
  }
  const fail = (message: string, details: Record<string, unknown> = {}, cause?: unknown) =>
    new StrikerError('PEER_UNREACHABLE', `peer ${call.peerName} (${call.address}): ${message}`, { details: { peer: call.peerName, address: call.address, ...details }, cause });
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(call.body), signal: AbortSignal.timeout(call.timeoutMs), redirect: 'error' });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${call.timeoutMs} ms` : `${(error as Error).message}${(error as { cause?: Error }).cause ? ` (${(error as { cause: Error }).cause.message})` : ''}`;
    throw fail(reason, {}, error);
  }
  const text = await readBounded(response);
  if (text === undefined) throw fail(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw fail(`HTTP ${response.status} with a body that is not JSON`);
  }
  if (!response.ok) {
    const e = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof e?.code === 'string' ? e.code : `HTTP ${response.status}`;
    const message = typeof e?.message === 'string' ? e.message.slice(0, 1000) : '';
    throw fail(`${code}${message ? `: ${message}` : ''}`, { status: response.status, peerCode: code });
  }
  const checked = answer.safeParse(json);
  if (!checked.success) throw fail(`its answer is not what a Striker sends: ${problemsFromZod(checked.error, json).map((p) => `${p.path} ${p.message}`).join('; ')}`);
  return checked.data;
}

async function readBounded(response: Response): Promise<string | undefined> {
  if (!response.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) return undefined;
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}
