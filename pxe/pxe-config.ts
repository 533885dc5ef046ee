/**
 * The whole PXE path (DHCP → TFTP → HTTP boot routes) configured from one place. `enabled` is
 * false by default; when true, `interface` and `address` name the one interface PXE answers on
 * and this server's address there, and they fill in the DHCP and TFTP settings that would
 * otherwise repeat them. Checked with the DHCP config's own cross-field rules.
 */
import { z } from 'zod';
import { ConfigError, type Problem } from '../striker/core/errors/index.js';
import { ipv4Schema } from '../striker/core/net/ipv4.js';
import { checkDhcpConfig, dhcpConfigSchema, type DhcpConfig } from './dhcp/config.js';
import { tftpConfigSchema } from './tftp/config.js';
import { unknownMachineActions } from './boot/boot-plan.js';
import { firmwareTableSchema, type FirmwareTable } from './boot/firmware-table.js';
import { loadersConfigSchema } from './boot/loaders.js';

const installTreeSchema = z.strictObject({
  /** The tree's base URL as machines reach it, e.g. `http://10.201.0.1:8080/trees/alma-9.4-x86_64`. */
  url: z.string().regex(/^https?:\/\/[^\s?#]+$/, 'must be an http(s) URL with no query'),
  kernel: z.string().min(1).default('images/pxeboot/vmlinuz'),
  initrd: z.string().min(1).default('images/pxeboot/initrd.img'),
  /** Pass `inst.stage2=<url>` to Anaconda. */
  stage2: z.boolean().default(true),
});

export const pxeConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** The interface PXE services answer on (the back-channel network), e.g. `bcn1`. */
  interface: z.string().min(1).max(15).optional(),
  /** This server's IPv4 address on that interface. */
  address: ipv4Schema.optional(),
  /** Striker's HTTP base URL as machines reach it; default `http://<address>:<port of striker serve>`. */
  httpUrl: z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, 'must be like http://10.201.4.1:8080 (no path)').optional(),
  /** What a machine with no role gets: `discovery` (waits for a role), `local` (boots its disk) or `ignore`. */
  unknownMachines: z.enum(unknownMachineActions).default('discovery'),
  discoveryRetrySeconds: z.number().int().min(1).max(3600).default(30),
  /** The installation tree installers boot from (kernel, initrd, stage2 over HTTP). */
  installTree: installTreeSchema.optional(),
  /** Extra kernel arguments for the installer, e.g. `console=ttyS0,115200`. */
  kernelArgs: z.array(z.string().regex(/^[A-Za-z0-9._~/%+=,:@-]{1,1024}$/, 'must be one word of URL-safe characters')).default([]),
  loaders: loadersConfigSchema.prefault({}),
  /** `interfaces` and `serverAddress` default to `interface` and `address`. */
  dhcp: dhcpConfigSchema.prefault({}),
  /** `host` defaults to `address`; TFTP runs whenever PXE is enabled. */
  tftp: tftpConfigSchema.prefault({}),
  /**
   * Router advertisements on the PXE interface that end iPXE's IPv6 wait (router lifetime 0, no
   * prefixes, M=0 O=0; pxe/ipv6/). `auto`: sent unless another router advertises there; `off`: never.
   */
  ipv6RouterAdvertisements: z.enum(['auto', 'off']).default('auto'),
  /** A refreshed IEEE OUI table (pxe/boot/oui.ts); the shipped one is used when it does not exist. */
  ouiFile: z.string().min(1).optional(),
});

export type PxeConfig = z.infer<typeof pxeConfigSchema>;
export type PxeConfigInput = z.input<typeof pxeConfigSchema>;

/**
 * The effective DHCP config: interface and address filled in, boot URLs pointing at `httpUrl`,
 * and UEFI PXE loaders as `uefiLoaders` (pxe/boot/loaders.ts) chose them from the disk.
 */
export function effectiveDhcpConfig(config: PxeConfig, httpUrl: string, uefi?: UefiLoaders): DhcpConfig {
  const dhcp = config.dhcp;
  const interfaces = dhcp.interfaces.length > 0 ? dhcp.interfaces : config.interface === undefined ? [] : [config.interface];
  const serverAddress = dhcp.serverAddress === '0.0.0.0' && config.address !== undefined ? config.address : dhcp.serverAddress;
  return { ...dhcp, interfaces, serverAddress, boot: bootTableFor(dhcp.boot, httpUrl, uefi) };
}

/** The first loader of UEFI PXE firmware, per architecture (TFTP file names). */
export interface UefiLoaders {
  x64: string;
  arm64: string;
}

/**
 * The firmware table with Striker's boot routes: entries left at the generic defaults
 * (`http://{server}/boot/…`, which assume port 80) are pointed at `httpUrl`, and the UEFI PXE
 * entries left at their defaults get `uefi` (the installation tree's signed shim, when chosen).
 */
export function bootTableFor(table: FirmwareTable, httpUrl: string, uefi?: UefiLoaders): FirmwareTable {
  const defaults = firmwareTableSchema.parse(undefined);
  const base = httpUrl.replace(/\/+$/, '');
  const ours: Partial<FirmwareTable> = {
    'uefi-x64-http': `${base}/boot/loaders/ipxe.efi`,
    'uefi-arm64-http': `${base}/boot/loaders/ipxe-arm64.efi`,
    'ipxe-bios': `${base}/boot/ipxe/{mac}`,
    'ipxe-uefi-x64': `${base}/boot/ipxe/{mac}`,
    'ipxe-uefi-arm64': `${base}/boot/ipxe/{mac}`,
    ...(uefi === undefined ? {} : { 'uefi-x64': uefi.x64, 'uefi-arm64': uefi.arm64 }),
  };
  const result = { ...table };
  for (const [key, value] of Object.entries(ours) as [keyof FirmwareTable, string][]) {
    if (table[key] === defaults[key]) result[key] = value;
  }
  return result;
}

/** Every problem with an enabled PXE config, paths relative to the PXE section. */
export function checkPxeConfig(config: PxeConfig, httpUrl: string): Problem[] {
  if (!config.enabled) return [];
  const problems: Problem[] = [];
  if (config.interface === undefined) problems.push({ path: 'interface', message: 'must name the interface PXE answers on when PXE is enabled' });
  if (config.address === undefined) problems.push({ path: 'address', message: "must be this server's IPv4 address on the PXE interface when PXE is enabled" });
  for (const p of checkDhcpConfig(effectiveDhcpConfig(config, httpUrl))) problems.push({ path: `dhcp.${p.path}`, message: p.message });
  return problems;
}

export function parsePxeConfig(input: unknown, httpUrl: string, source = 'pxe config'): PxeConfig {
  const parsed = pxeConfigSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })), source);
  const problems = checkPxeConfig(parsed.data, parsed.data.httpUrl ?? httpUrl);
  if (problems.length > 0) throw new ConfigError(problems, source);
  return Object.freeze(parsed.data);
}
