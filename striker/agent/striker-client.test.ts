import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { quietLogger } from '../../test/support/test-database.js';
import { AgentApiError, StrikerClient } from './striker-client.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A Striker stand-in on loopback that answers every request with `status` and its own name. */
async function striker(name: string, status = 200): Promise<{ url: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url} ${req.headers.authorization}`);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(status === 200 ? JSON.stringify({ name }) : JSON.stringify({ error: { code: 'FORBIDDEN', message: `${name} refuses` } }));
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

async function deadUrl(): Promise<string> {
  const s = await striker('dead');
  servers.splice(servers.indexOf(s.server), 1);
  await new Promise((r) => s.server.close(r));
  return s.url;
}

describe('StrikerClient', () => {
  it('sticks to the first Striker that answers, and fails over when it stops answering', async () => {
    const dead = await deadUrl();
    const a = await striker('a');
    const b = await striker('b');
    const switches: string[] = [];
    const client = new StrikerClient({ urls: [dead, a.url, b.url], credential: 'sta_x', logger: quietLogger, backoff: { initialMs: 10, maxMs: 20 }, onSwitch: (_f, to) => switches.push(to) });
    expect(await client.call('POST', '/api/agent/hello', {})).toEqual({ name: 'a' });
    expect(await client.call('POST', '/api/agent/hello', {})).toEqual({ name: 'a' });
    expect(a.hits).toEqual(['POST /api/agent/hello Bearer sta_x', 'POST /api/agent/hello Bearer sta_x']);
    servers.splice(servers.indexOf(a.server), 1);
    a.server.closeAllConnections();
    await new Promise((r) => a.server.close(r));
    expect(await client.call('POST', '/api/agent/heartbeat', {})).toEqual({ name: 'b' });
    expect(client.current).toBe(b.url);
    expect(switches).toEqual([a.url, b.url]);
    await client.close();
  });

  it('goes round the list with back-off until one answers, and gives up only when told to', async () => {
    const [d1, d2] = [await deadUrl(), await deadUrl()];
    const client = new StrikerClient({ urls: [d1, d2], credential: 'sta_x', logger: quietLogger, backoff: { initialMs: 10, maxMs: 40 } });
    const stop = new AbortController();
    const pending = client.call('POST', '/x', {}, { signal: stop.signal });
    setTimeout(() => stop.abort(new Error('stopped')), 200);
    await expect(pending).rejects.toThrow('stopped');
    await client.close();
  });

  it('takes a refusal (4xx) as an answer: no failover, the code and message kept', async () => {
    const a = await striker('a', 403);
    const b = await striker('b');
    const client = new StrikerClient({ urls: [a.url, b.url], credential: 'sta_x', logger: quietLogger });
    const error = await client.call('POST', '/x', {}).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AgentApiError);
    expect((error as AgentApiError).code).toBe('FORBIDDEN');
    expect((error as AgentApiError).message).toBe(`${a.url}: a refuses`);
    expect(b.hits).toEqual([]);
    await client.close();
  });

  it('fails over on 503 (a Striker closing or without its database)', async () => {
    const a = await striker('a', 503);
    const b = await striker('b');
    const client = new StrikerClient({ urls: [a.url, b.url], credential: 'sta_x', logger: quietLogger });
    expect(await client.call('GET', '/x', undefined)).toEqual({ name: 'b' });
    await client.close();
  });
});
