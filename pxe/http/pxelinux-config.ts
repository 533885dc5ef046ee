/**
 * A machine's pxelinux configuration (`pxelinux.cfg/01-<mac with dashes>`, the first name
 * PXELINUX asks for; syslinux wiki "PXELINUX" §Configuration), served as a virtual TFTP file.
 * Pure. `lpxelinux.0` fetches `http://` kernel and initrd paths itself, so only the loader and
 * this file travel over TFTP.
 */
import type { BootPlan } from '../boot/boot-plan.js';
import type { BootUrls } from './boot-urls.js';
import { scriptHostname, scriptText } from './script-tokens.js';

export interface PxelinuxOptions {
  discoveryRetrySeconds: number;
}

export function renderPxelinuxConfig(plan: BootPlan, urls: BootUrls, options: PxelinuxOptions): string {
  const lines = [`# Striker boot plan for ${urls.mac}: ${plan.action} (${plan.reason})`];
  const installer = urls.installer;
  if (plan.action === 'install' && installer !== undefined) {
    lines.push(
      'DEFAULT install',
      'PROMPT 0',
      'TIMEOUT 1',
      `SAY Striker: installing ${scriptHostname(plan.hostname)} (${plan.role})`,
      'LABEL install',
      `  KERNEL ${installer.kernel}`,
      `  INITRD ${installer.initrd}`,
      `  APPEND ${installer.args.join(' ')}`,
    );
  } else {
    // pxelinux cannot re-fetch its configuration: a machine waiting for a role boots its
    // disk after the timeout and is offered the installer on its next network boot.
    const timeout = plan.action === 'discovery' ? Math.max(1, Math.floor(options.discoveryRetrySeconds)) * 10 : 1;
    if (plan.action === 'discovery') lines.push(`SAY Striker: this machine (${urls.mac}) has no role yet; assign one in Striker and reboot.`);
    else lines.push(`SAY Striker: booting the local disk (${scriptText(plan.reason)})`);
    lines.push('DEFAULT local', `PROMPT ${plan.action === 'discovery' ? 1 : 0}`, `TIMEOUT ${timeout}`, 'LABEL local', '  LOCALBOOT 0');
  }
  return `${lines.join('\n')}\n`;
}
