/**
 * The fence agents installed on this Striker and the form of each, as the Striker generates it
 * from the agent's own metadata (`fence_<agent> -o metadata`): read once per visit and shared by
 * the fencing step's devices and the IPMI options.
 */
import { request, messageOf } from '../api.js';
import type { FenceAgentAnswer, FenceAgentForm, FenceFormField } from './manifest-types.js';

/** The agent whose options the IPMI of every host takes. */
export const IPMI_AGENT = 'fence_ipmilan';

/** Parameters the Striker fills in for IPMI from the host's own fields. */
export const ipmiOwnFields: ReadonlySet<string> = new Set(['ip', 'ipaddr', 'username', 'login', 'password', 'passwd', 'plug', 'port']);

class FenceForms {
  forms = $state<Record<string, FenceAgentForm>>({});
  /** Agents whose devices switch one outlet per host (GET /api/fence-agents/:agent `outletPerHost`). */
  outletPerHost = $state<Record<string, boolean>>({});
  errors = $state<Record<string, string>>({});
  #pending = new Map<string, Promise<void>>();

  /** Reads the form of `agent` unless it is known or being read. */
  want(agent: string): void {
    if (!/^fence_[a-z0-9_]+$/.test(agent) || this.forms[agent] || this.#pending.has(agent)) return;
    const read = request<FenceAgentAnswer>('GET', `/api/fence-agents/${agent}`)
      .then((answer) => {
        this.forms[agent] = answer.form;
        this.outletPerHost[agent] = answer.outletPerHost;
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

/** A field's label, as the form names it. */
export function fieldLabel(f: FenceFormField): string {
  return f.label;
}

/**
 * Whether the wizard asks for this field: the agent's `password` is the device's secret (kept
 * encrypted, apart from the parameters); other credentials are not taken as plain parameters.
 */
export function asked(f: FenceFormField): boolean {
  return !f.secret || f.name === 'password';
}
