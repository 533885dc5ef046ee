/**
 * A machine's iPXE script (https://ipxe.org/scripting), rendered from its boot plan. Pure.
 * - install: `kernel` + `initrd` over HTTP, then `boot`; a failed fetch says so and leaves
 *   to the next boot device instead of hanging.
 * - local / ignore: `exit`, which hands control back to the firmware, which tries the next
 *   boot device (the local disk) — on BIOS option ROMs and on UEFI alike.
 * - discovery: says the machine is waiting for a role, then asks Striker again after a while
 *   (a key press boots the local disk), so a role assigned meanwhile takes effect at once.
 */
import type { BootPlan } from '../boot/boot-plan.js';
import type { BootUrls } from './boot-urls.js';
import { scriptHostname, scriptText } from './script-tokens.js';

export interface IpxeOptions {
  /** Seconds between discovery retries. */
  discoveryRetrySeconds: number;
}

export function renderIpxeScript(plan: BootPlan, urls: BootUrls, options: IpxeOptions): string {
  const lines = ['#!ipxe', `# Striker boot plan for ${urls.mac}: ${plan.action} (${plan.reason})`];
  const installer = urls.installer;
  if (plan.action === 'install' && installer !== undefined) {
    lines.push(
      `echo Striker: installing ${scriptHostname(plan.hostname)} (${plan.role})`,
      `kernel ${installer.kernel} initrd=${installer.initrdName} ${installer.args.join(' ')} || goto failed`,
      `initrd ${installer.initrd} || goto failed`,
      'boot || goto failed',
      ':failed',
      'echo Striker: the installer could not be fetched; trying the next boot device',
      'sleep 5',
      'exit 1',
    );
  } else if (plan.action === 'discovery') {
    const seconds = Math.max(1, Math.floor(options.discoveryRetrySeconds));
    lines.push(
      `echo Striker: this machine (${urls.mac}) has no role yet.`,
      'echo Assign it a role in Striker; it asks again every ' + String(seconds) + ' seconds.',
      `prompt --key l --timeout ${seconds * 1000} Press l to boot from the local disk instead && exit ||`,
      `chain --autofree ${urls.ipxeScript}`,
    );
  } else {
    const why = plan.action === 'local' && plan.problems !== undefined ? `: ${scriptText(plan.problems.slice(0, 3).join('; '))}` : '';
    lines.push(`echo Striker: booting the local disk (${scriptText(plan.reason)}${why})`, 'exit');
  }
  return `${lines.join('\n')}\n`;
}
