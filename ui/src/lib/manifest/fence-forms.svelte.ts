/**
 * The fence agents installed on this Striker and the form of each, as the Striker generates it
 * from the agent's own metadata (`fence_<agent> -o metadata`): read once per visit and shared by
 * the fencing step's devices and the IPMI options.
 */
import { request, messageOf } from '../api';
import type { FenceAgentForm, FenceFormField } from './manifest-types';

/** The agent whose options the IPMI of every host takes. */
export const IPMI_AGENT = 'fence_ipmilan';

/** Parameters a device does not set once for all hosts: the outlet is per host (hosts' pduOutlets). */
export const perHostParameters: ReadonlySet<string> = new Set(['plug', 'port']);

/** Parameters the Striker fills in for IPMI from the host's own fields. */
export const ipmiOwnFields: ReadonlySet<string> = new Set(['ip', 'ipaddr', 'username', 'login', 'password', 'passwd', 'plug', 'port']);

class FenceForms {
  forms = $state<Record<string, FenceAgentForm>>({});
  errors = $state<Record<string, string>>({});
  #pending = new Map<string, Promise<void>>();

  /** Reads the form of `agent` unless it is known or being read. */
  want(agent: string): void {
    if (!/^fence_[a-z0-9_]+$/.test(agent) || this.forms[agent] || this.#pending.has(agent)) return;
    const read = request<FenceAgentForm>('GET', `/api/fence-agents/${agent}`)
      .then((form) => {
        this.forms[agent] = form;
        delete this.errors[agent];
      })
      .catch((e) => {
        this.errors[agent] = messageOf(e);
      })
      .finally(() => this.#pending.delete(agent));
    this.#pending.set(agent, read);
  }
}

export const fenceForms = new FenceForms();

/** Whether a device of this agent is switched per host (a PDU): its form has an outlet parameter. */
export function isPerHost(form: FenceAgentForm | undefined): boolean {
  return form?.fields.some((f) => perHostParameters.has(f.name)) ?? false;
}

/** A field's label: the form's, or its parameter name in words. */
export function fieldLabel(f: FenceFormField): string {
  return f.label ?? f.name.replaceAll('_', ' ');
}
