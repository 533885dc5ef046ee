/**
 * The agent on a host: says hello to Striker (version, which Striker it talks to), sends the
 * inventory at start and whenever it changes, heartbeats, and runs the jobs addressed to its host.
 * Jobs are claimed through a long poll that Striker answers as soon as a job for this host is
 * queued (Striker is woken by PostgreSQL NOTIFY), so an idle agent makes one request per wait
 * period and a new job starts at once. Each claimed job's payload is validated again here before
 * anything runs. A heartbeat carries the running jobs' ids; Striker answers whether each is still
 * this agent's and whether an operator asked to cancel it.
 *
 * The agent is the one claimant of its host's jobs, and it may claim through any Striker. With
 * replicated Strikers, a claim made through one may not yet have reached another when the agent
 * fails over, so the same attempt of a job can be claimed twice: the agent keeps the attempts it
 * has started (job id and attempt number, with the outcome once known) and never starts one
 * again — it reports the outcome it already has, or lets the run in progress report it.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CommandRunner } from '../core/command/run-command.js';
import { formatProblems, StrikerError } from '../core/errors/index.js';
import { problemsFromZod } from '../core/validation/zod-problems.js';
import type { AgentConfig, AgentCredentials } from './agent-config.js';
import type { ClaimedJob, ClaimResponse, FinishOutcome, HeartbeatResponse, HelloResponse, JobWriteResponse } from './agent-api.js';
import { agentRunKinds, hostJobPayloads, isHostJobKind, type HostJobKind } from './host-job-kinds.js';
import { systemHostApplier, type HostApplier } from '../setup/index.js';
import { hostJobRunners, type HostJobContext, type HostJobResult, type HostJobRunners, type InjectedHostJobRunners } from './host-jobs.js';
import type { Inventory } from './inventory-schema.js';
import { AgentApiError, StrikerClient } from './striker-client.js';

export interface AgentRuntimeOptions {
  config: AgentConfig;
  credentials: AgentCredentials;
  version: string;
  logger: Logger;
  run: CommandRunner;
  collectInventory: () => Promise<Inventory>;
  /** The client to use; made from the configuration when not given. */
  client?: StrikerClient;
  /**
   * Reads the credentials file again. Called when Striker refuses the credential (401): after an
   * admin rotated it and the new file was installed, the agent carries on without a restart.
   */
  reloadCredentials?: () => Promise<AgentCredentials>;
  /** How host.configure-network changes the host (when `manageHost` is on); the real host when not given. */
  applier?: HostApplier;
  /**
   * A periodic scan the app injects (ScanCore's scan cycle, which lives in a later area): run
   * every `intervalSeconds`, one at a time, and its report POSTed to `/api/agent/scan`.
   */
  scanLoop?: AgentScanLoop;
  /** Runners of kinds that live in later areas (cluster/), injected by the app; their kinds are claimed too. */
  injectedRunners?: InjectedHostJobRunners;
}

export interface AgentScanLoop {
  intervalSeconds: number;
  /** One scan; the report is sent as the request body. */
  scan(signal: AbortSignal): Promise<object>;
}

type StopReason = 'cancel' | 'shutdown' | 'lost';

class HostJobAbort extends Error {
  constructor(readonly reason: StopReason) {
    super(reason === 'cancel' ? 'cancelled by an operator' : reason === 'shutdown' ? 'the agent is shutting down' : 'the job was taken from this agent');
  }
}

interface Running {
  job: ClaimedJob;
  controller: AbortController;
  done: Promise<void>;
  progress: number;
}

export interface AgentState {
  instanceId: string;
  strikerUrl: string;
  running: string[];
  counts: { claimed: number; succeeded: number; failed: number; cancelled: number; interrupted: number; lost: number; replayed: number };
}

/** How many started attempts the agent remembers (far more than a failover window can replay). */
const STARTED_KEPT = 4096;

function attemptKey(job: ClaimedJob): string {
  return `${job.id}#${job.attempts}`;
}

export class AgentRuntime {
  readonly instanceId = randomUUID();
  private readonly client: StrikerClient;
  private readonly runners: HostJobRunners & InjectedHostJobRunners;
  /** The kinds this agent claims: its own and the injected ones. */
  private readonly kinds: readonly HostJobKind[];
  private readonly running = new Map<string, Running>();
  private readonly stopping = new AbortController();
  private readonly log: Logger;
  private loop: Promise<void> | undefined;
  private beatTimer: NodeJS.Timeout | undefined;
  private inventoryTimer: NodeJS.Timeout | undefined;
  private scanTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private scansSent = 0;
  private beating: Promise<void> | undefined;
  private lastInventory: string | undefined;
  private slotFreed: (() => void) | undefined;
  private readonly counts = { claimed: 0, succeeded: 0, failed: 0, cancelled: 0, interrupted: 0, lost: 0, replayed: 0 };
  /** Attempts this process has started (`<job id>#<attempt>`), with their outcome once known; the newest STARTED_KEPT. */
  private readonly started = new Map<string, FinishOutcome | null>();

  private credential: string;

  constructor(private readonly o: AgentRuntimeOptions) {
    this.credential = o.credentials.credential;
    this.log = o.logger.child({ hostId: o.config.hostId });
    this.client = o.client ?? new StrikerClient({
      urls: o.config.strikerUrls,
      credential: o.credentials.credential,
      logger: this.log.child({ component: 'striker-client' }),
      onSwitch: () => void this.beat(),
    });
    this.runners = { ...hostJobRunners({
      run: o.run,
      allowPowerActions: o.config.allowPowerActions,
      powerOffCommand: o.config.powerOffCommand,
      manageHost: o.config.manageHost,
      applier: o.applier ?? systemHostApplier(o.run),
      refreshInventory: () => this.sendInventory(true),
    }), ...o.injectedRunners };
    this.kinds = [...agentRunKinds, ...(Object.keys(o.injectedRunners ?? {}) as HostJobKind[]).filter((k) => !(agentRunKinds as readonly string[]).includes(k))];
  }

  state(): AgentState {
    return { instanceId: this.instanceId, strikerUrl: this.client.current, running: [...this.running.keys()], counts: { ...this.counts } };
  }

  /** Says hello (waiting for a Striker to answer), sends the inventory, then claims jobs until stopped. */
  async start(): Promise<void> {
    const signal = this.stopping.signal;
    const hello = await this.client.call<HelloResponse>('POST', '/api/agent/hello', { instanceId: this.instanceId, version: this.o.version, strikerUrl: this.client.current }, { signal });
    this.log.info({ peer: this.client.current, requeued: hello.requeued }, 'agent registered its start with Striker');
    await this.sendInventory(false).catch((error: unknown) => this.log.error({ err: error }, 'could not collect or send the inventory'));
    this.beatTimer = setInterval(() => void this.beat(), this.o.config.heartbeatSeconds * 1000);
    this.inventoryTimer = setInterval(() => {
      this.sendInventory(false).catch((error: unknown) => this.log.error({ err: error }, 'could not collect or send the inventory'));
    }, this.o.config.inventorySeconds * 1000);
    this.loop = this.claimLoop();
    if (this.o.scanLoop !== undefined) this.scheduleScan(0);
  }

  /** Scan reports Striker has accepted since start. */
  get scanReportsSent(): number {
    return this.scansSent;
  }

  /** The next scan after `delayMs`; scans never overlap (the next is scheduled when one ends). */
  private scheduleScan(delayMs: number): void {
    const loop = this.o.scanLoop;
    if (loop === undefined || this.stopping.signal.aborted) return;
    this.scanTimer = setTimeout(() => {
      this.scanning = this.scanOnce(loop).finally(() => {
        this.scanning = undefined;
        this.scheduleScan(loop.intervalSeconds * 1000);
      });
    }, delayMs);
  }

  private async scanOnce(loop: AgentScanLoop): Promise<void> {
    const signal = this.stopping.signal;
    try {
      const report = await loop.scan(signal);
      if (signal.aborted) return;
      await this.client.call('POST', '/api/agent/scan', report, { signal });
      this.scansSent++;
    } catch (error) {
      if (!signal.aborted) this.log.error({ err: error }, 'scan or its report failed');
    }
  }

  /** Stops claiming; aborts running jobs and waits up to `graceMs`; reports the rest interrupted. */
  async stop(graceMs: number): Promise<void> {
    if (this.stopping.signal.aborted) return;
    clearInterval(this.beatTimer);
    clearInterval(this.inventoryTimer);
    clearTimeout(this.scanTimer);
    for (const r of this.running.values()) r.controller.abort(new HostJobAbort('shutdown'));
    this.stopping.abort(new HostJobAbort('shutdown'));
    this.slotFreed?.();
    await this.loop?.catch(() => undefined);
    await this.scanning;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...this.running.values()].map((r) => r.done)), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    await this.client.close().catch(() => undefined);
  }

  private async claimLoop(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const free = this.o.config.workers - this.running.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      try {
        const waitSeconds = 25;
        const answer = await this.client.call<ClaimResponse>(
          'POST',
          '/api/agent/jobs/claim',
          { instanceId: this.instanceId, kinds: this.kinds, limit: free, waitSeconds },
          { signal, timeoutMs: (waitSeconds + 10) * 1000 },
        );
        for (const job of answer.jobs) this.launch(job);
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof AgentApiError && error.code === 'UNAUTHENTICATED' && (await this.reloadCredential())) continue;
        // A refusal (credential revoked, bad request): say so and try again later, never spin.
        this.log.error({ err: error }, 'claiming jobs failed');
        await new Promise((r) => setTimeout(r, 5000));
      }
    }
  }

  private launch(job: ClaimedJob): void {
    const attempt = attemptKey(job);
    if (this.started.has(attempt)) {
      // The same attempt claimed again (through a second Striker before the first claim replicated).
      this.counts.replayed++;
      const known = this.started.get(attempt);
      const log = this.log.child({ jobId: job.id, kind: job.kind });
      log.warn({ attempt: job.attempts, outcome: known?.kind ?? 'running' }, 'claimed a job attempt this agent already started; not running it again');
      if (known) void this.report(job, known, log);
      return;
    }
    this.started.set(attempt, null);
    if (this.started.size > STARTED_KEPT) this.started.delete(this.started.keys().next().value!);
    this.counts.claimed++;
    const entry: Running = { job, controller: new AbortController(), progress: 0, done: Promise.resolve() };
    this.running.set(job.id, entry);
    entry.done = this.runJob(entry).finally(() => {
      this.running.delete(job.id);
      this.slotFreed?.();
      this.slotFreed = undefined;
    });
  }

  private async runJob(entry: Running): Promise<void> {
    const { job, controller } = entry;
    const log = this.log.child({ jobId: job.id, kind: job.kind });
    const runner = isHostJobKind(job.kind) ? (this.runners[job.kind] as ((c: HostJobContext<unknown>) => Promise<HostJobResult | void>) | undefined) : undefined;
    if (!isHostJobKind(job.kind) || runner === undefined) {
      await this.finish(job, { kind: 'failed', error: `this agent does not run jobs of kind ${job.kind}`, retryable: false }, log);
      return;
    }
    const kind: HostJobKind = job.kind;
    const parsed = hostJobPayloads[kind].safeParse(job.payload);
    if (!parsed.success) {
      const error = `payload is invalid:\n${formatProblems(problemsFromZod(parsed.error, job.payload, 'payload'))}`;
      log.warn({ error }, 'refusing a job whose payload is invalid');
      await this.finish(job, { kind: 'failed', error, retryable: false }, log);
      return;
    }
    const ctx: HostJobContext<unknown> = {
      jobId: job.id,
      payload: parsed.data,
      signal: controller.signal,
      logger: log,
      progress: async (percent, message, vars, options) => {
        const pct = Math.max(entry.progress, Math.min(99, Math.floor(percent)));
        entry.progress = pct;
        const r = await this.client.call<JobWriteResponse>('POST', `/api/agent/jobs/${job.id}/progress`, { instanceId: this.instanceId, progress: pct, message, vars: vars ?? {}, ...(options?.milestone === true ? { milestone: true } : {}) });
        if (!r.held) controller.abort(new HostJobAbort('lost'));
      },
      note: async (message, vars, level) => {
        await this.client.call('POST', `/api/agent/jobs/${job.id}/messages`, { instanceId: this.instanceId, message, vars: vars ?? {}, level: level ?? 'info' });
      },
      api: (method, path, body) => this.client.call(method, `/api/agent/${path.replace(/^\/+/, '')}`, body, { signal: controller.signal }),
    };
    log.info({ attempt: job.attempts }, 'job started');
    let outcome: FinishOutcome;
    try {
      const result = await runner(ctx);
      outcome = controller.signal.aborted ? abortOutcome(controller.signal.reason) : { kind: 'succeeded', ...(result ?? {}) };
    } catch (error) {
      if (controller.signal.aborted) outcome = abortOutcome(controller.signal.reason);
      else {
        log.warn({ err: error }, 'job run failed');
        outcome = { kind: 'failed', error: (error instanceof Error ? error.message : String(error)).slice(0, 4000), retryable: !(error instanceof StrikerError && error.retryable === false) };
      }
    }
    if ((controller.signal.reason as HostJobAbort | undefined)?.reason === 'lost') {
      this.counts.lost++;
      log.warn('job was taken from this agent; its result is dropped');
      return;
    }
    await this.finish(job, outcome, log);
  }

  private async finish(job: ClaimedJob, outcome: FinishOutcome, log: Logger): Promise<void> {
    if (this.started.has(attemptKey(job))) this.started.set(attemptKey(job), outcome);
    if (await this.report(job, outcome, log)) this.counts[outcome.kind]++;
  }

  /** Sends a job's outcome; true when Striker recorded it (the job was still this agent's). */
  private async report(job: ClaimedJob, outcome: FinishOutcome, log: Logger): Promise<boolean> {
    try {
      const r = await this.client.call<JobWriteResponse>('POST', `/api/agent/jobs/${job.id}/finish`, { instanceId: this.instanceId, outcome });
      if (!r.held) {
        this.counts.lost++;
        log.warn('job was no longer this agent\'s when it ended; its result is dropped');
        return false;
      }
      log.info({ outcome: outcome.kind }, 'job ended');
      return true;
    } catch (error) {
      log.error({ err: error }, 'could not record the job outcome');
      return false;
    }
  }

  /** Re-reads the credentials file; true when it holds a credential other than the one refused. */
  private async reloadCredential(): Promise<boolean> {
    if (this.o.reloadCredentials === undefined) return false;
    try {
      const fresh = await this.o.reloadCredentials();
      if (fresh.credential === this.credential) return false;
      this.credential = fresh.credential;
      this.client.setCredential(fresh.credential);
      this.log.info({ credentialId: fresh.credentialId }, 'using the credential from the replaced credentials file');
      return true;
    } catch (error) {
      this.log.error({ err: error }, 'could not read the credentials file again');
      return false;
    }
  }

  /** One heartbeat at a time; a heartbeat still in flight (Striker failing over) is not doubled. */
  private beat(): Promise<void> {
    this.beating ??= this.beatOnce().finally(() => (this.beating = undefined));
    return this.beating;
  }

  private async beatOnce(): Promise<void> {
    const ids = [...this.running.keys()];
    try {
      const r = await this.client.call<HeartbeatResponse>(
        'POST',
        '/api/agent/heartbeat',
        { instanceId: this.instanceId, strikerUrl: this.client.current, jobIds: ids },
        { signal: this.stopping.signal },
      );
      for (const j of r.jobs) {
        const entry = this.running.get(j.id);
        if (!entry) continue;
        if (!j.held) entry.controller.abort(new HostJobAbort('lost'));
        else if (j.cancelRequested) entry.controller.abort(new HostJobAbort('cancel'));
      }
    } catch (error) {
      if (!this.stopping.signal.aborted) this.log.error({ err: error }, 'heartbeat failed');
    }
  }

  /** Collects the inventory and sends it when it changed since the last one sent (or `always`). */
  private async sendInventory(always: boolean): Promise<Inventory> {
    const inventory = await this.o.collectInventory();
    const text = JSON.stringify(inventory);
    if (!always && text === this.lastInventory) return inventory;
    await this.client.call('POST', '/api/agent/inventory', { inventory }, { signal: this.stopping.signal });
    this.lastInventory = text;
    this.log.info({ disks: inventory.disks.length, nics: inventory.nics.length }, 'inventory sent');
    return inventory;
  }
}

function abortOutcome(reason: unknown): FinishOutcome {
  return reason instanceof HostJobAbort && reason.reason === 'cancel' ? { kind: 'cancelled' } : { kind: 'interrupted' };
}
