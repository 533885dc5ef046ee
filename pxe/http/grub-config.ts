/**
 * A machine's GRUB 2 configuration (`grub.cfg-01-<mac>`), rendered from its boot plan, and the
 * generic `grub.cfg` that loads it. Pure. Kernel and initrd come over HTTP in GRUB's device
 * syntax `(http,host:port)/path` (GRUB manual §13 "Network") when GRUB can, else over TFTP
 * `(tftp,host)/path`: the signed network images of the shim → GRUB chain (Debian's
 * grubnetx64.efi) carry no http module and cannot load one under Secure Boot. GRUB 2.06's
 * `insmod` returns 0 even when the module could not be loaded, so the config does not ask it:
 * before the menu it `source`s Striker's tiny HTTP probe (`GRUB_HTTP_PROBE`, which sets
 * `striker_http=y`), and the menu entry picks HTTP or TFTP from that variable. The probe fails
 * outside the menu entry on purpose: an error printed inside an entry makes GRUB wait 10 s for a
 * key before booting. Without a TFTP server in the URLs, HTTP only; configs reached over TFTP
 * load each other over TFTP.
 */
import type { BootPlan } from '../boot/boot-plan.js';
import type { BootUrls } from './boot-urls.js';
import { grubTftpPath, scriptHostname, scriptText } from './script-tokens.js';

/** Striker's HTTP probe for GRUB (boot-routes.ts serves it): its text sets `striker_http=y`. */
export const GRUB_HTTP_PROBE = '/boot/grub/http-probe';
export const GRUB_HTTP_PROBE_TEXT = 'set striker_http=y\nexport striker_http\n';

export interface GrubOptions {
  discoveryRetrySeconds: number;
}

/** `http://h:p/a/b` → `(http,h:p)/a/b`; the URL was checked by script-tokens.ts. */
export function grubPath(url: string): string {
  const match = /^(https?):\/\/([^/]+)(\/.*)?$/.exec(url);
  if (match === null) throw new TypeError(`not an http URL: ${url}`);
  return `(${match[1]},${match[2]})${match[3] ?? '/'}`;
}

export function renderGrubConfig(plan: BootPlan, urls: BootUrls, options: GrubOptions): string {
  const lines = [`# Striker boot plan for ${urls.mac}: ${plan.action} (${plan.reason})`];
  const installer = urls.installer;
  if (plan.action === 'install' && installer !== undefined) {
    const args = installer.args.join(' ');
    const probe = grubPath(`${urls.strikerUrl}${GRUB_HTTP_PROBE}`);
    lines.push('set default=0', 'set timeout=0');
    if (installer.grubTftp !== undefined) lines.push('set striker_http=n', `source ${probe}`);
    lines.push(
      `menuentry 'Install ${scriptHostname(plan.hostname)} (${plan.role})' {`,
      ...(installer.grubTftp === undefined
        ? [`  linux ${grubPath(installer.kernel)} ${args}`, `  initrd ${grubPath(installer.initrd)}`]
        : [
            '  if [ "$striker_http" = y ]; then',
            `    linux ${grubPath(installer.kernel)} ${args}`,
            `    initrd ${grubPath(installer.initrd)}`,
            '  else',
            `    linux ${installer.grubTftp.kernel} ${args}`,
            `    initrd ${installer.grubTftp.initrd}`,
            '  fi',
          ]),
      '}',
    );
  } else if (plan.action === 'discovery') {
    lines.push(
      'set default=0',
      `set timeout=${Math.max(1, Math.floor(options.discoveryRetrySeconds))}`,
      `menuentry 'No role yet (${urls.mac}): ask Striker again' {`,
      `  configfile ${urls.grubConfigTftp ?? grubPath(urls.grubConfig)}`,
      '}',
      "menuentry 'Boot from the local disk' {",
      '  exit',
      '}',
    );
  } else {
    lines.push('set default=0', 'set timeout=0', `menuentry 'Boot from the local disk (${scriptText(plan.reason)})' {`, '  exit', '}');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The generic `grub.cfg`: loads the per-MAC file (GRUB sets `net_default_mac`, colon form) over
 * HTTP, or over TFTP from `tftpServer` (the generic file served by TFTP, pxe/http/tftp-boot-files.ts).
 */
export function renderGrubDispatch(strikerUrl: string, tftpServer?: string): string {
  const dir = tftpServer === undefined ? `${grubPath(`${strikerUrl.replace(/\/+$/, '')}/boot/grub`)}/` : grubTftpPath(tftpServer, '', 'tftpServer');
  return `# Striker: load this machine's own configuration\nconfigfile ${dir}grub.cfg-01-$net_default_mac\n`;
}
