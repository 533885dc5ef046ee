/**
 * The URLs a boot plan is rendered with: the installer's kernel, initrd and stage2 from the
 * installation tree (over HTTP, so loaders hand off to HTTP as early as possible), the signed
 * kickstart URL (`inst.ks=`, kickstart/ks-routes.ts `kickstartPath`), and Striker's own boot routes
 * for retrying. Pure; every URL and argument is checked by script-tokens.ts here, once.
 */
import type { BootPlan } from '../boot/boot-plan.js';
import { grubTftpPath, kernelArg, scriptMac, scriptUrl } from './script-tokens.js';

/**
 * The TFTP directory where the installation tree's kernel and initrd are served (under their
 * paths in the tree), for GRUB images without the http module: the signed network images
 * (Debian's grubnetx64.efi) cannot load modules under Secure Boot.
 */
export const TFTP_TREE_DIR = 'tree';

/** An installation tree as published by the repo mirror (`.treeinfo` `[images-x86_64]`). */
export interface InstallTree {
  /** The tree's base URL, e.g. `http://10.201.0.1:8080/trees/alma-9.4-x86_64`. */
  url: string;
  /** Paths below `url` (from `.treeinfo`). */
  kernel: string;
  initrd: string;
  /** Pass `inst.stage2=<url>` (Anaconda finds images/install.img through `.treeinfo`). */
  stage2: boolean;
}

export interface BootUrlContext {
  /** Striker's base URL as machines reach it, e.g. `http://10.201.0.1:8080` (no trailing slash). */
  strikerUrl: string;
  tree: InstallTree | undefined;
  /** Extra kernel arguments for every installer boot (e.g. `console=ttyS0`, `ip=dhcp`). */
  kernelArgs: readonly string[];
  /** The signed kickstart path for a host, `/ks/<host>/<exp>.<sig>.ks` (kickstartPath). */
  kickstartPath: (hostId: string) => string;
  /** Striker's TFTP server as GRUB reaches it (`host` or `host:port`): GRUB configs load each other over TFTP. */
  tftpServer?: string;
  /**
   * The tree's kernel and initrd are also on that TFTP server, under `TFTP_TREE_DIR`: GRUB
   * configs fall back to them when GRUB has no http module.
   */
  treeOverTftp?: boolean;
}

export interface InstallerBoot {
  kernel: string;
  initrd: string;
  /** The initrd's file name, for `initrd=` on the kernel command line (EFI stub kernels). */
  initrdName: string;
  args: string[];
  /** Kernel and initrd on Striker's TFTP server in GRUB's device syntax, when `treeOverTftp`. */
  grubTftp?: { kernel: string; initrd: string };
}

export interface BootUrls {
  mac: string;
  /** Striker's base URL (no trailing slash), for its own boot routes. */
  strikerUrl: string;
  /** Only for an `install` plan. */
  installer?: InstallerBoot;
  /** This machine's iPXE script (discovery retries chain to it). */
  ipxeScript: string;
  /** This machine's GRUB config over HTTP. */
  grubConfig: string;
  /** This machine's GRUB config over TFTP in GRUB's device syntax, when `tftpServer` is set. */
  grubConfigTftp?: string;
}

export function bootUrls(plan: BootPlan, ctx: BootUrlContext): BootUrls {
  const mac = scriptMac(plan.mac);
  const base = ctx.strikerUrl.replace(/\/+$/, '');
  const urls: BootUrls = {
    mac,
    strikerUrl: scriptUrl(base, 'boot.strikerUrl'),
    ipxeScript: scriptUrl(`${base}/boot/ipxe/${mac.replaceAll(':', '-')}`, 'boot.strikerUrl'),
    grubConfig: scriptUrl(`${base}/boot/grub/grub.cfg-01-${mac.replaceAll(':', '-')}`, 'boot.strikerUrl'),
  };
  if (ctx.tftpServer !== undefined) urls.grubConfigTftp = grubTftpPath(ctx.tftpServer, `grub.cfg-01-${mac.replaceAll(':', '-')}`, 'tftpServer');
  // The configured tree, else the one the plan carries (the kickstart's own).
  const source = plan.action === 'install' ? (ctx.tree ?? plan.tree) : undefined;
  if (plan.action === 'install' && source !== undefined) {
    const tree = source.url.replace(/\/+$/, '');
    const initrd = scriptUrl(`${tree}/${source.initrd.replace(/^\/+/, '')}`, 'installTree.initrd');
    const args = [kernelArg(`inst.ks=${scriptUrl(`${base}${ctx.kickstartPath(plan.hostId)}`, 'kickstart URL')}`)];
    if (source.stage2) args.push(kernelArg(`inst.stage2=${scriptUrl(tree, 'installTree.url')}`));
    ctx.kernelArgs.forEach((a, i) => args.push(kernelArg(a, `kernelArgs.${i}`)));
    (plan.kernelArgs ?? []).forEach((a, i) => args.push(kernelArg(a, `kickstart.kernelArgs.${i}`)));
    urls.installer = {
      kernel: scriptUrl(`${tree}/${source.kernel.replace(/^\/+/, '')}`, 'installTree.kernel'),
      initrd,
      initrdName: initrd.slice(initrd.lastIndexOf('/') + 1),
      args,
    };
    if (ctx.tree !== undefined && ctx.tftpServer !== undefined && ctx.treeOverTftp === true) {
      urls.installer.grubTftp = {
        kernel: grubTftpPath(ctx.tftpServer, tftpTreePath(ctx.tree.kernel), 'installTree.kernel'),
        initrd: grubTftpPath(ctx.tftpServer, tftpTreePath(ctx.tree.initrd), 'installTree.initrd'),
      };
    }
  }
  return urls;
}

/** Where a file of the installation tree (a path below its root) is on Striker's TFTP server. */
export function tftpTreePath(treePath: string): string {
  return `${TFTP_TREE_DIR}/${treePath.replace(/^\/+/, '')}`;
}
