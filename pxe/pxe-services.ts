/**
 * Starts the whole PXE path for `striker serve` from one config (pxe-config.ts): checks the
 * interface and its address, starts DHCP (lease journal under `<dataDir>/dhcp`, reservations
 * from the `MachineLookup`), TFTP (per-MAC boot configs as virtual files, then the loaders,
 * then the TFTP root directory), router advertisements that end iPXE's IPv6 wait (pxe/ipv6/,
 * unless `ipv6RouterAdvertisements` is off), and returns the HTTP boot routes to register, the counters
 * and leases for the API (`PxeStatusSource`), and `close()`.
 *
 * Every step goes to the one `BootTimeline`; TFTP and loader downloads, which only know the
 * peer's address, get the MAC of the DHCP lease that holds it. A loader the firmware downloaded
 * and then refused (Secure Boot) is inferred from those steps (boot/loader-refusal.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { formatIpv4 } from '../striker/core/net/ipv4.js';
import { LeaseJournal } from './dhcp/lease-journal.js';
import type { LeaseChange } from './dhcp/lease.js';
import type { LeaseStore } from './dhcp/lease-store.js';
import { noMachines, type MachineLookup } from './dhcp/machine-lookup.js';
import { parseDhcpConfig } from './dhcp/config.js';
import { startDhcpServer, type DhcpServer } from './dhcp/server.js';
import { BootResolver, type BootFacts } from './http/boot-resolver.js';
import { bootRoutes, createBootRouteCounters, type BootRouteCounters, type BootRouteDeps } from './http/boot-routes.js';
import { tftpBootFiles } from './http/tftp-boot-files.js';
import { tftpTreePath } from './http/boot-urls.js';
import { DirectorySource } from './tftp/directory-source.js';
import { composeSources, type FileSource } from './tftp/file-source.js';
import { startTftpServer, type TftpServer } from './tftp/server.js';
import { startTftpWorker } from './tftp/tftp-worker.js';
import { VirtualFiles } from './tftp/virtual-files.js';
import { checkLoaders, LoaderFiles, planLoaders, uefiLoaders, type LoaderProblem } from './boot/loaders.js';
import { effectiveDhcpConfig, type PxeConfig } from './pxe-config.js';
import { checkPxeInterface, type InterfaceFacts } from './pxe-interface.js';
import type { BootEvent, BootTimeline } from './boot/timeline.js';
import { LoaderRefusalWatch } from './boot/loader-refusal.js';
import { startRouterAdvertiser, type RouterAdvertiser } from './ipv6/router-advertiser.js';
import type { Icmp6TransportFactory } from './ipv6/icmp6-socket.js';

export interface PxeStatusSource {
  /** Counters of each running PXE service, by name (dhcp, tftp, boot, ipv6RouterAdvertisements). */
  status(): Record<string, unknown>;
  /** Current DHCP leases, or [] when DHCP is not running. */
  leases(): unknown[];
}

export interface PxeServicesDeps {
  /** Parsed with parsePxeConfig. */
  config: PxeConfig;
  dataDir: string;
  logger: Logger;
  timeline: BootTimeline;
  /** Striker's HTTP base URL as machines reach it, used when `config.httpUrl` is not set. */
  httpUrl: string;
  /** Machine and kickstart facts for boot plans (`dbBootFacts` in `striker serve`). */
  facts: BootFacts;
  /** The signed kickstart path for a host (the kickstart area signs it, with `kickstart.urlTtlSeconds`). */
  kickstartPath: (hostId: string) => string;
  /** DHCP reservations (a started `ReservationCache`); none when omitted. */
  lookup?: MachineLookup;
  /** Where DHCP leases live; default a LeaseJournal in `<dataDir>/dhcp`. */
  leaseStore?: LeaseStore;
  /** Told of every durable lease change (the database mirror, `striker leases`). */
  onLeaseChange?: (change: LeaseChange) => void;
  /** Interface facts, for tests; default read from /sys/class/net and os.networkInterfaces(). */
  interfaceFacts?: InterfaceFacts;
  /** The ICMPv6 socket for router advertisements, for tests; default the native raw socket. */
  openIcmp6?: Icmp6TransportFactory;
  /** Counters of the HTTP boot routes, kept across restarts (pxe-runtime.ts); new ones when omitted. */
  bootCounters?: BootRouteCounters;
}

/** What the HTTP boot routes serve from while these services run (pxe-runtime.ts registers the routes once). */
export type BootRouteSource = Pick<BootRouteDeps, 'resolver' | 'timeline' | 'strikerUrl' | 'loaders' | 'macOfIp'>;

export interface PxeServices extends PxeStatusSource {
  /** Fastify plugins to register on `striker serve`'s app (boot routes). Empty when PXE is disabled. */
  plugins: FastifyPluginAsync[];
  /** What the boot routes serve from; undefined when PXE is disabled. */
  bootSource: BootRouteSource | undefined;
  /** Loader problems found at start (also in `status().loaders`), for the Machines page. */
  loaderProblems: LoaderProblem[];
  /** The MAC holding a DHCP lease on `ip`, if any. */
  macOfIp(ip: string): string | undefined;
  /** The bound TFTP and DHCP ports (tests use port 0). */
  ports(): { dhcp: number | undefined; tftp: number | undefined };
  close(): Promise<void>;
}

/** TFTP name → file of the installation tree's kernel and initrd, when the tree is on this disk. */
function treeFilesForTftp(config: PxeConfig): Map<string, string> {
  const dir = config.loaders.installTreeDir;
  const tree = config.installTree;
  if (dir === undefined || tree === undefined) return new Map();
  return new Map([tree.kernel, tree.initrd].map((p) => [tftpTreePath(p), join(dir, p.replace(/^\/+/, ''))]));
}

export async function startPxeServices(deps: PxeServicesDeps): Promise<PxeServices> {
  const { config, logger } = deps;
  if (!config.enabled) {
    return {
      plugins: [],
      bootSource: undefined,
      loaderProblems: [],
      status: () => ({ enabled: false }),
      leases: () => [],
      macOfIp: () => undefined,
      ports: () => ({ dhcp: undefined, tftp: undefined }),
      close: async () => undefined,
    };
  }
  const iface = config.interface!;
  const address = config.address!;
  await checkPxeInterface(iface, address, deps.interfaceFacts);
  const httpUrl = (config.httpUrl ?? deps.httpUrl).replace(/\/+$/, '');
  const log = logger.child({ iface });

  const loaderCheck = await checkLoaders(planLoaders(config.loaders));
  for (const p of loaderCheck.problems) (p.required ? log.error.bind(log) : log.debug.bind(log))({ path: p.path, loader: p.loader }, p.message);

  // MAC by leased address, kept from lease changes, for TFTP/HTTP steps that only see the peer.
  const macByIp = new Map<string, string>();
  const onLeaseChange = (change: LeaseChange): void => {
    const ip = formatIpv4(change.lease.ip);
    if (change.kind === 'bind') macByIp.set(ip, change.lease.mac);
    else if (macByIp.get(ip) === change.lease.mac) macByIp.delete(ip);
    deps.onLeaseChange?.(change);
  };
  const macOfIp = (ip: string): string | undefined => macByIp.get(ip);
  const refusals = new LoaderRefusalWatch();
  const timeline: BootTimeline = {
    record(event: BootEvent) {
      const mac = event.mac ?? (event.ip === undefined ? undefined : macByIp.get(event.ip));
      const resolved = mac === undefined ? event : { ...event, mac };
      deps.timeline.record(resolved);
      const refused = refusals.observe(resolved);
      if (refused !== undefined) {
        log.warn({ mac: refused.mac, ...refused.details }, 'loader refused by the firmware (Secure Boot)');
        deps.timeline.record(refused);
      }
    },
  };

  const uefi = uefiLoaders(config.loaders.uefiChain, new Set(loaderCheck.available.keys()));
  const dhcpConfig = parseDhcpConfig(effectiveDhcpConfig(config, httpUrl, uefi), 'pxe.dhcp');
  let dhcp: DhcpServer | undefined;
  let tftp: TftpServer | undefined;
  let advertiser: RouterAdvertiser | undefined;
  try {
    dhcp = await startDhcpServer({
      config: dhcpConfig,
      logger: log.child({ service: 'dhcp' }),
      timeline,
      leaseStore: deps.leaseStore ?? new LeaseJournal({ directory: join(deps.dataDir, 'dhcp'), logger: log.child({ service: 'dhcp' }) }),
      lookup: deps.lookup ?? noMachines,
      onLeaseChange,
    });
    for (const lease of dhcp.leases()) macByIp.set(lease.ip, lease.mac);

    // GRUB configs load each other over TFTP from this server, and the tree's kernel and initrd
    // also go over TFTP when the tree is on this disk, for GRUB images without http (the signed
    // shim → GRUB chain).
    const tftpHost = config.tftp.host === '0.0.0.0' ? address : config.tftp.host;
    const treeFiles = treeFilesForTftp(config);
    const tftpServer = config.tftp.port === 0 ? undefined : config.tftp.port === 69 ? tftpHost : `${tftpHost}:${config.tftp.port}`;
    const resolver = new BootResolver({
      facts: deps.facts,
      unknown: config.unknownMachines,
      discoveryRetrySeconds: config.discoveryRetrySeconds,
      urls: { strikerUrl: httpUrl, tree: config.installTree, kernelArgs: config.kernelArgs, kickstartPath: deps.kickstartPath, ...(tftpServer === undefined ? {} : { tftpServer }), treeOverTftp: treeFiles.size > 0 },
    });
    const rules = { absolutePaths: config.tftp.absolutePaths };
    // GRUB network images ask for `$prefix/grub.cfg` with an absolute prefix (Debian's
    // grubnetx64.efi: `/grub/grub.cfg`). Boot configs are only names Striker renders, never
    // files below a root, so their leading `/` is dropped whatever `absolutePaths` says.
    const sources: FileSource[] = [
      new VirtualFiles(tftpBootFiles({ resolver, timeline, logger: log.child({ service: 'boot' }), strikerUrl: httpUrl, ...(tftpServer === undefined ? {} : { tftpServer }) }), { ...rules, absolutePaths: 'root-relative' }),
      new LoaderFiles(new Map([...loaderCheck.available, ...treeFiles])),
    ];
    // DirectorySource needs its root to exist; a missing root only means no extra files.
    if (existsSync(config.tftp.root)) sources.push(new DirectorySource(config.tftp.root, rules));
    else log.info({ path: config.tftp.root }, 'tftp root does not exist; serving boot configs and loaders only');
    tftp = await (config.tftp.thread === 'worker' ? startTftpWorker : startTftpServer)({
      host: tftpHost,
      port: config.tftp.port,
      source: composeSources(...sources),
      logger: log.child({ service: 'tftp' }),
      timeline,
      limits: config.tftp.limits,
      blksizeMax: config.tftp.blksizeMax,
      windowsizeMax: config.tftp.windowsizeMax,
      windowBytesMax: config.tftp.windowBytesMax,
      retransmit: config.tftp.timeouts,
      nativeSockets: config.tftp.nativeSockets,
    });
    advertiser = startRouterAdvertiser({
      iface,
      mode: config.ipv6RouterAdvertisements,
      logger: log.child({ service: 'ipv6-ra' }),
      ...(deps.openIcmp6 === undefined ? {} : { openTransport: deps.openIcmp6 }),
    });
    const bootCounters = deps.bootCounters ?? createBootRouteCounters();
    const bootSource: BootRouteSource = { resolver, timeline, strikerUrl: httpUrl, loaders: loaderCheck.available, macOfIp };
    const plugin = bootRoutes({ ...bootSource, logger: log.child({ service: 'boot' }), counters: bootCounters });
    log.info({ address, httpUrl, tftpPort: tftp.address.port, dhcpPorts: dhcp.ports(), loaders: [...loaderCheck.available.keys()], uefi }, 'pxe services started');

    const runningDhcp = dhcp;
    const runningTftp = tftp;
    const runningAdvertiser = advertiser;
    return {
      plugins: [plugin],
      bootSource,
      loaderProblems: loaderCheck.problems,
      status: () => ({
        enabled: true,
        interface: iface,
        address,
        httpUrl,
        dhcp: runningDhcp.counters(),
        tftp: structuredClone(runningTftp.counters),
        boot: structuredClone(bootCounters),
        ipv6RouterAdvertisements: runningAdvertiser.status(),
        loaders: { available: [...loaderCheck.available.keys()], problems: loaderCheck.problems, uefiPxe: uefi },
      }),
      leases: () => runningDhcp.leases(),
      macOfIp,
      ports: () => ({ dhcp: runningDhcp.ports().server, tftp: runningTftp.address.port }),
      close: async () => {
        runningAdvertiser.close();
        await Promise.allSettled([runningTftp.close(), runningDhcp.close()]);
      },
    };
  } catch (error) {
    advertiser?.close();
    await tftp?.close().catch(() => undefined);
    await dhcp?.close().catch(() => undefined);
    throw error;
  }
}
