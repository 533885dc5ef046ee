/**
 * From a MAC to a rendered boot file, per request: look the machine and its kickstart up
 * (the `BootFacts` seam: the database in `striker serve`, a Map in tests), decide the plan
 * (pxe/boot/boot-plan.ts), compute its URLs and render the format the loader asked for.
 * Nothing is generated ahead of time, so a role assigned a second ago is what the next
 * request gets.
 */
import type { BootKickstart, BootMachine, BootPlan, UnknownMachineAction } from '../boot/boot-plan.js';
import { describePlan, planBoot } from '../boot/boot-plan.js';
import { bootUrls, type BootUrlContext, type BootUrls } from './boot-urls.js';
import { renderGrubConfig } from './grub-config.js';
import { renderIpxeScript } from './ipxe-script.js';
import { renderPxelinuxConfig } from './pxelinux-config.js';

export interface BootFacts {
  /** The machine row for `mac`, or undefined when Striker has none. */
  machine(mac: string): Promise<BootMachine | undefined>;
  /** The machine's kickstart host and its last pre-boot check, when it has one. */
  kickstart(machine: BootMachine): Promise<BootKickstart | undefined>;
}

export type BootFormat = 'ipxe' | 'grub' | 'pxelinux';

export interface BootResolverOptions {
  facts: BootFacts;
  unknown: UnknownMachineAction;
  urls: BootUrlContext;
  discoveryRetrySeconds: number;
}

export interface ResolvedBoot {
  plan: BootPlan;
  urls: BootUrls;
  text: string;
  /** Timeline/log facts: action, reason, host; never the signed URL. */
  facts: Record<string, unknown>;
}

export class BootResolver {
  constructor(private readonly o: BootResolverOptions) {}

  async plan(mac: string): Promise<BootPlan> {
    const machine = await this.o.facts.machine(mac);
    const kickstart = machine !== undefined && machine.role !== null ? await this.o.facts.kickstart(machine) : undefined;
    return planBoot({ mac, machine, kickstart, installTree: this.o.urls.tree !== undefined, unknown: this.o.unknown });
  }

  async resolve(mac: string, format: BootFormat): Promise<ResolvedBoot> {
    const plan = await this.plan(mac);
    const urls = bootUrls(plan, this.o.urls);
    const options = { discoveryRetrySeconds: this.o.discoveryRetrySeconds };
    const text =
      format === 'ipxe' ? renderIpxeScript(plan, urls, options) : format === 'grub' ? renderGrubConfig(plan, urls, options) : renderPxelinuxConfig(plan, urls, options);
    return { plan, urls, text, facts: describePlan(plan) };
  }
}
