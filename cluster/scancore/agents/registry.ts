/** Every scan agent, by name. Adding an agent: write `<name>-agent.ts` and its parser, list it here. */
import { clusterAgent } from './cluster-agent.js';
import { drbdAgent } from './drbd-agent.js';
import { ipmiAgent } from './ipmi-agent.js';
import { linksAgent } from './links-agent.js';
import type { AgentName, ScanAgent } from './scan-agent.js';
import { serversAgent } from './servers-agent.js';
import { storageAgent } from './storage-agent.js';
import { upsAgent } from './ups-agent.js';

export const scanAgents: Readonly<Record<AgentName, ScanAgent>> = Object.freeze({
  ipmi: ipmiAgent,
  ups: upsAgent,
  cluster: clusterAgent,
  drbd: drbdAgent,
  links: linksAgent,
  storage: storageAgent,
  servers: serversAgent,
});
