/**
 * Kickstart's routes record boot-timeline events by peer address only; this wrapper adds the MAC
 * of the host the request was for (taken from the URL before the handler runs, kept in
 * AsyncLocalStorage for the request), so the events land on that machine's timeline, refusals
 * included.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';
import type { BootEvent, BootTimeline } from '../pxe/index.js';
import { macOfHostId } from './host-id.js';

const hostInPath = /^\/ks\/([^/.?]+)(?:\.ks|\/|\?|$)/;

export class RequestHostTimeline implements BootTimeline {
  private readonly current = new AsyncLocalStorage<string>();

  constructor(private readonly inner: BootTimeline) {}

  record(event: BootEvent): void {
    const mac = this.current.getStore();
    this.inner.record(mac !== undefined && event.mac === undefined ? { ...event, mac } : event);
  }

  /** Adds the hook to a scope holding the kickstart routes (after body parsing, before the handler). */
  install(scope: FastifyInstance): void {
    scope.addHook('preHandler', (request, _reply, done) => {
      const id = hostInPath.exec(request.url)?.[1];
      const mac = id === undefined ? undefined : macOfHostId(id);
      if (mac === undefined) done();
      else this.current.run(mac, done);
    });
  }
}
