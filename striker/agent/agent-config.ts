/**
 * The agent's two files on a host: `/etc/striker/agent.json` (written by the kickstart's %post:
 * which Strikers to talk to, in order, and this host's id) and
 * `/etc/striker/agent-credentials.json` (the answer to registration: the host's credential,
 * readable by root only). Both are validated with every problem listed; the credentials file is
 * refused unless its mode is 0600 or stricter, so a credential that leaked to other users is not used.
 */
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError, StrikerError } from '../core/errors/index.js';
import { problemsFromZod } from '../core/validation/zod-problems.js';
import { agentCredentialPattern, hostIdPattern } from './agent-credential-format.js';

export const defaultAgentConfigPath = '/etc/striker/agent.json';
export const defaultCredentialsPath = '/etc/striker/agent-credentials.json';

const strikerUrl = z
  .string()
  .max(500)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.search === '' && u.hash === '' && u.username === '';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL like http://10.201.4.1/ with no query, fragment or user');

const agentConfigObject = z.strictObject({
  /** The Strikers, most preferred first; the agent sticks to the one that answers. */
  strikerUrls: z.array(strikerUrl).min(1, 'must list at least one Striker URL').max(16).optional(),
  /** A single Striker (files written before the list existed); the same as a one-element list. */
  strikerUrl: strikerUrl.optional(),
  hostId: z.string().regex(hostIdPattern, 'must be a host id like 52-54-00-12-34-56'),
  role: z.enum(['node', 'dr', 'striker']).default('node'),
  /** Run host.reboot / host.poweroff for real; otherwise they record the command and end as a success that changed nothing. */
  allowPowerActions: z.boolean().default(false),
  /**
   * The argv `host.poweroff` runs (no shell): `systemctl poweroff` by default; a host without
   * systemd, or one that must be cut through its own BMC, names another command here.
   */
  powerOffCommand: z
    .array(z.string().min(1, 'must not be an empty argument').max(4096))
    .min(1, 'must name a command: an argv array like ["systemctl", "poweroff"]')
    .max(64)
    .refine((argv) => argv.length === 0 || !/\s/.test(argv[0]!), { message: 'must start with the program alone (no spaces): an argv array, not a shell line' })
    .default(['systemctl', 'poweroff']),
  /** Let host.configure-network write NetworkManager keyfiles and bring networks up; otherwise it records the plan only. */
  manageHost: z.boolean().default(false),
  heartbeatSeconds: z.number().int().min(1).max(300).default(10),
  /** How often the inventory is collected again; it is sent only when it changed. */
  inventorySeconds: z.number().int().min(5).max(86_400).default(60),
  /** Host jobs run at once. */
  workers: z.number().int().min(1).max(16).default(2),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * ScanCore's configuration (`scan.intervalSeconds`, `scan.disabledAgents`, …), validated by
   * ScanCore's own schema where the app starts the scan loop; absent means its defaults.
   */
  scancore: z.record(z.string(), z.unknown()).optional(),
  /**
   * Cluster formation's configuration (`cluster.startCommand`, `cluster.corosyncDir`, …), validated
   * by cluster/join's own schema where the app injects the runner; absent means its defaults.
   */
  cluster: z.record(z.string(), z.unknown()).optional(),
  /**
   * File sync's configuration on the host (`files.hashIn`), validated by cluster/files' own schema
   * where the app injects the `file.fetch` runner; absent means its defaults.
   */
  files: z.record(z.string(), z.unknown()).optional(),
});

export const agentConfigSchema = agentConfigObject
  .refine((c) => c.strikerUrls !== undefined || c.strikerUrl !== undefined, { message: 'must give strikerUrls (a list of Striker URLs)', path: ['strikerUrls'] })
  .transform(({ strikerUrl: single, strikerUrls, ...rest }) => ({
    ...rest,
    strikerUrls: [...new Set([...(strikerUrls ?? []), ...(single === undefined ? [] : [single])].map(withoutTrailingSlash))],
  }));

export type AgentConfig = Readonly<z.output<typeof agentConfigSchema>>;

export const agentCredentialsSchema = z.strictObject({
  hostId: z.string().regex(hostIdPattern, 'must be a host id like 52-54-00-12-34-56'),
  credentialId: z.uuid(),
  credential: z.string().regex(agentCredentialPattern, 'must be an agent credential (sta_…)'),
  issuedAt: z.string().max(40),
});

export type AgentCredentials = Readonly<z.output<typeof agentCredentialsSchema>>;

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([{ path: '', message: `cannot read ${what}: ${code === 'ENOENT' ? 'the file does not exist' : String(code ?? error)}` }], path);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError([{ path: '', message: `is not JSON: ${(error as Error).message}` }], path);
  }
}

export async function loadAgentConfig(path: string): Promise<AgentConfig> {
  const raw = await readJson(path, 'the agent configuration');
  const parsed = agentConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(problemsFromZod(parsed.error, raw), path);
  return Object.freeze(parsed.data);
}

/**
 * Reads the credentials file; refuses it when group or others may read or write it, and when it
 * is for another host than the configuration names.
 */
export async function loadAgentCredentials(path: string, hostId: string): Promise<AgentCredentials> {
  let mode: number;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([{ path: '', message: `cannot read the agent credentials: ${code === 'ENOENT' ? 'the file does not exist (has this host registered?)' : String(code ?? error)}` }], path);
  }
  if ((mode & 0o077) !== 0) {
    throw new StrikerError('CONFIG_INVALID', `${path} must be readable by its owner only (mode 0600) — got ${mode.toString(8).padStart(4, '0')}; run chmod 600 ${path}`, {
      details: { path, mode: mode.toString(8) },
    });
  }
  const raw = await readJson(path, 'the agent credentials');
  const parsed = agentCredentialsSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(problemsFromZod(parsed.error, raw), path);
  if (parsed.data.hostId !== hostId) {
    throw new ConfigError([{ path: 'hostId', message: `must be this host's id ${hostId} (from the agent configuration) — got '${parsed.data.hostId}'` }], path);
  }
  return Object.freeze(parsed.data);
}
