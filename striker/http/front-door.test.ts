import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { FrontDoor } from './front-door.js';

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

async function start(frontDoor: FrontDoor, options: { keepAliveTimeout?: number } = {}): Promise<string> {
  app = Fastify({ logger: false, serverFactory: frontDoor.serverFactory, ...options });
  app.get('/*', async (req) => ({ routed: req.url }));
  return app.listen({ host: '127.0.0.1', port: 0 });
}

describe('FrontDoor', () => {
  it('answers what a handler takes and routes everything else through fastify', async () => {
    const door = new FrontDoor();
    door.add((req, res) => {
      if (req.url !== '/fast') return false;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('front door');
      return true;
    });
    const base = await start(door);
    expect(await (await fetch(`${base}/fast`)).text()).toBe('front door');
    expect(await (await fetch(`${base}/other`)).json()).toEqual({ routed: '/other' });
  });

  it('sends a request on to fastify when a handler throws before answering, and reports the error', async () => {
    const errors: unknown[] = [];
    const door = new FrontDoor((error) => errors.push(error));
    door.add(() => { throw new Error('handler bug'); });
    const base = await start(door);
    const r = await fetch(`${base}/x`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ routed: '/x' });
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/handler bug/);
  });

  it('cuts the connection when a handler throws after it started answering (no second answer)', async () => {
    const door = new FrontDoor(() => {});
    door.add((_req, res) => { res.writeHead(200); res.write('partial'); throw new Error('mid-answer'); });
    const base = await start(door);
    await expect(fetch(`${base}/x`).then((r) => r.text())).rejects.toThrow();
    expect(app!.server.listening).toBe(true);
  });

  it('applies fastify\'s server timeouts to the server it builds', async () => {
    await start(new FrontDoor(), { keepAliveTimeout: 1234 });
    expect(app!.server.keepAliveTimeout).toBe(1234);
  });
});
