/**
 * A machine's GRUB 2 configuration (`grub.cfg-01-<mac>`, the first name GRUB's net boot looks
 * for after `net_bootp`), rendered from its boot plan. Pure. Files come over HTTP in GRUB's
 * device syntax `(http,host:port)/path` (GRUB manual §13 "Network"); the signed shim → grub
 * chain of an installation tree reads this for Secure Boot machines.
 */
import type { BootPlan } from '../boot/boot-plan.js';
import type { BootUrls } from './boot-urls.js';
import { scriptHostname, scriptText } from './script-tokens.js';

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
    lines.push(
      'set default=0',
      'set timeout=0',
      `menuentry 'Install ${scriptHostname(plan.hostname)} (${plan.role})' {`,
      `  linux ${grubPath(installer.kernel)} ${installer.args.join(' ')}`,
      `  initrd ${grubPath(installer.initrd)}`,
      '}',
    );
  } else if (plan.action === 'discovery') {
    lines.push(
      'set default=0',
      `set timeout=${Math.max(1, Math.floor(options.discoveryRetrySeconds))}`,
      `menuentry 'No role yet (${urls.mac}): ask Striker again' {`,
      `  configfile ${grubPath(urls.grubConfig)}`,
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

/** The generic `grub.cfg`: loads the per-MAC file (GRUB sets `net_default_mac`, colon form). */
export function renderGrubDispatch(strikerUrl: string): string {
  return `# Striker: load this machine's own configuration\nconfigfile ${grubPath(`${strikerUrl.replace(/\/+$/, '')}/boot/grub`)}/grub.cfg-01-$net_default_mac\n`;
}
