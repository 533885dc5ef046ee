/**
 * The PXE services of a running `striker serve`, restartable in process: `apply(config)` stops
 * DHCP, TFTP and router advertisements and starts them again from the new configuration (on,
 * off, another interface or range) without restarting Striker. The HTTP boot routes are
 * registered once (fastify cannot add routes to a listening server) and serve from whatever
 * services run now; while PXE is off they answer 404.
 *
 * Changes are serialised. A configuration that cannot start (the interface lacks the address)
 * leaves the previous one running and rejects with the reason.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { bootRoutes, createBootRouteCounters, type BootRouteCounters, type BootRouteDeps } from './http/boot-routes.js';
import type { PxeConfig } from './pxe-config.js';
import { startPxeServices, type BootRouteSource, type PxeServices, type PxeServicesDeps, type PxeStatusSource } from './pxe-services.js';

export interface PxeRuntimeDeps extends Omit<PxeServicesDeps, 'config' | 'httpUrl' | 'bootCounters'> {
  /** Striker's HTTP base URL as machines reach it under `config` (its address may change). */
  httpUrl: (config: PxeConfig) => string;
}

export class PxeRuntime implements PxeStatusSource {
  readonly #deps: PxeRuntimeDeps;
  readonly #counters: BootRouteCounters;
  #services: PxeServices;
  #config: PxeConfig;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(deps: PxeRuntimeDeps, config: PxeConfig, services: PxeServices, counters: BootRouteCounters) {
    this.#deps = deps;
    this.#config = config;
    this.#services = services;
    this.#counters = counters;
  }

  /** Starts the services from `config` (throws as startPxeServices does when they cannot start). */
  static async start(deps: PxeRuntimeDeps, config: PxeConfig): Promise<PxeRuntime> {
    const counters = createBootRouteCounters();
    const services = await startPxeServices({ ...deps, config, httpUrl: deps.httpUrl(config), bootCounters: counters });
    return new PxeRuntime(deps, config, services, counters);
  }

  /** The configuration the running services were started from. */
  get config(): PxeConfig {
    return this.#config;
  }

  get loaderProblems(): PxeServices['loaderProblems'] {
    return this.#services.loaderProblems;
  }

  #startWith(config: PxeConfig): Promise<PxeServices> {
    return startPxeServices({ ...this.#deps, config, httpUrl: this.#deps.httpUrl(config), bootCounters: this.#counters });
  }

  /** Restarts the services from `config`; on failure the previous configuration runs again and the error is thrown. */
  apply(config: PxeConfig): Promise<void> {
    const run = this.#queue.then(async () => {
      if (this.#closed) throw new Error('the PXE services are closed');
      const previous = this.#config;
      await this.#services.close();
      try {
        this.#services = await this.#startWith(config);
        this.#config = config;
      } catch (error) {
        this.#services = await this.#startWith(previous).catch((again: unknown) => {
          this.#log.error({ err: again }, 'the previous PXE configuration could not start again either: PXE is off');
          return this.#off();
        });
        throw error;
      }
      this.#log.info({ enabled: config.enabled, iface: config.interface, address: config.address, mode: config.dhcp.mode }, 'pxe services restarted with new settings');
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  get #log(): Logger {
    return this.#deps.logger;
  }

  #off(): Promise<PxeServices> {
    return startPxeServices({ ...this.#deps, config: { ...this.#config, enabled: false }, httpUrl: this.#deps.httpUrl(this.#config) });
  }

  status(): Record<string, unknown> {
    return this.#services.status();
  }

  leases(): unknown[] {
    return this.#services.leases();
  }

  macOfIp(ip: string): string | undefined {
    return this.#services.macOfIp(ip);
  }

  ports(): ReturnType<PxeServices['ports']> {
    return this.#services.ports();
  }

  /** The HTTP boot routes, serving from the services running at each request. */
  plugin(): FastifyPluginAsync {
    const current = (): BootRouteSource => {
      const source = this.#services.bootSource;
      if (source === undefined) throw new Error('PXE is off');
      return source;
    };
    const deps: BootRouteDeps = {
      logger: this.#log.child({ service: 'boot' }),
      counters: this.#counters,
      get resolver() { return current().resolver; },
      get timeline() { return current().timeline; },
      get strikerUrl() { return current().strikerUrl; },
      get loaders() { return current().loaders; },
      get macOfIp() { return current().macOfIp; },
    };
    const routes = bootRoutes(deps);
    return async (app) => {
      app.addHook('onRequest', async (_request, reply) => {
        if (this.#services.bootSource === undefined) return reply.code(404).type('text/plain').send('PXE boot services are off on this Striker\n');
      });
      await routes(app, {});
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    await this.#services.close();
  }
}
