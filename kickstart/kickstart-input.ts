/**
 * What a kickstart is rendered from: the host's role, its back-channel (BCN) network, locale
 * settings from the manifest, the installation tree and repos on this Striker, the root password
 * hash, root's SSH key and a one-time registration token. Validated here once, so every value the
 * renderer writes into a command line or a `%post` heredoc is known to be free of quotes, `$`,
 * backslashes and newlines (spaces only inside the quoted SSH key comment).
 * Problems never echo the value seen: the input carries secrets.
 */
import { z } from 'zod';
import { installDisksSchema } from '../striker/machines/index.js';
import { ValidationError, type Problem } from '../striker/core/errors/index.js';
import { endsInNumericLabel, ipv4Schema, isIpv4 } from '../striker/core/net/ipv4.js';
import { isMac } from '../striker/core/net/mac.js';
import { sha512CryptPattern } from './password-hash.js';

export const roles = ['striker', 'node', 'dr'] as const;
export type Role = (typeof roles)[number];

/** RFC 1123 §2.1 label: letters, digits and hyphens, not starting or ending with a hyphen. */
const labelPattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const domainPattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** URLs end up unquoted on kickstart lines and inside heredocs: no whitespace, quotes, `$`, backslash or backtick. */
const safeUrl = z
  .string()
  .regex(/^https?:\/\/[^\s'"`$\\<>]+$/, 'must be an http(s) URL with no spaces, quotes, $, backslashes or backticks');
const host = z.string().refine((s) => isIpv4(s) || (domainPattern.test(s) && !endsInNumericLabel(s)), 'must be a host name or IPv4 address');

/**
 * Repo ids all start with `striker`: on the installed host they sit in /etc/yum.repos.d beside the
 * distribution's own files (`baseos`, `appstream`, …), and dnf keeps the first definition of an id
 * it reads, so an id shared with the distribution would send dnf to public mirrors.
 */
export const strikerRepoIdPattern = /^striker([._-][A-Za-z0-9._-]{1,64})?$/;

export const repoRefSchema = z.strictObject({
  /** Repo id: used as the dnf section name and the kickstart `repo --name`. */
  name: z.string().regex(strikerRepoIdPattern, 'must be striker or start with striker- (letters, digits, dot, dash or underscore), so it cannot collide with a distribution repo id'),
  url: safeUrl,
  /** Keys the repo's packages are signed with (`gpgkey=`); every repo is written with gpgcheck=1. */
  gpgKeyUrls: z.array(safeUrl).min(1, 'must name at least one key: packages are installed with gpgcheck=1').max(8),
});

/** An OpenSSH public key (`type base64 [comment]`); the comment is kept to characters safe inside double quotes. */
export const sshPublicKeyPattern = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,2}( [A-Za-z0-9@._+:-]{1,100})?$/;

export const kickstartInputSchema = z.strictObject({
  role: z.enum(roles),
  host: z.strictObject({
    /** Stable id of the host in Striker's database; appears in URLs. */
    hostId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, dash or underscore'),
    /** Short host name, e.g. an-a01n01. */
    name: z.string().regex(labelPattern, 'must be a lower-case RFC 1123 host label like an-a01n01'),
    domain: z.string().regex(domainPattern, 'must be a lower-case domain like example.com'),
    bcn: z.strictObject({
      mac: z.string().refine(isMac, 'must be a lower-case colon-separated MAC like 52:54:00:12:34:56'),
      ip: ipv4Schema,
      prefix: z.number().int().min(1).max(32),
      gateway: ipv4Schema.optional(),
      dns: z.array(ipv4Schema).max(3).default([]),
    }),
  }),
  locale: z.strictObject({
    timezone: z.string().regex(/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/, 'must be a tz database name like America/Toronto'),
    ntpServers: z.array(host).default([]),
    keyboard: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'must be a console keymap like us or de-latin1'),
    language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?(\.UTF-8)?$/, 'must be a locale like en_US.UTF-8'),
  }),
  /** Base URL of the installation tree on this Striker (`.treeinfo`, `images/`). */
  tree: safeUrl,
  repos: z.array(repoRefSchema).default([]).refine((rs) => new Set(rs.map((r) => r.name)).size === rs.length, 'must not name a repo id twice'),
  /** SHA-512 crypt hash (`$6$salt$hash`), never a password: see password-hash.ts. */
  rootPasswordHash: z.string().regex(sha512CryptPattern, 'must be a SHA-512 crypt hash ($6$…)'),
  /** The Striker's SSH public key, installed for root (`sshkey`). */
  rootSshKey: z.string().max(1024).regex(sshPublicKeyPattern, 'must be an OpenSSH public key like ssh-ed25519 AAAA… striker@host'),
  /** More SSH public keys root trusts (the kickstart settings' `rootSshKeys`), each its own `sshkey` line. */
  extraRootSshKeys: z.array(z.string().max(1024).regex(sshPublicKeyPattern, 'must be an OpenSSH public key like ssh-ed25519 AAAA… admin@laptop')).max(16).default([]),
  /** Whether sshd accepts root's password; false: root logs in over SSH with a key only. */
  rootPasswordLogin: z.boolean().default(false),
  /** The disks the install must use, in order (the machine's `installDisks`); absent: `%pre` picks the local disks. */
  disks: installDisksSchema.optional(),
  registration: z.strictObject({
    url: safeUrl,
    token: z.string().regex(/^[A-Za-z0-9_-]{20,128}$/, 'must be a base64url registration token'),
  }),
  /** Base URL of this Striker as seen from the BCN, written into the agent's configuration. */
  strikerUrl: safeUrl,
  /** The other Strikers' base URLs: the agent's configuration lists them after `strikerUrl`. */
  otherStrikerUrls: z.array(safeUrl).max(15).default([]),
  /** Where `%post` reports "install finished" (may carry a signature); `%onerror` reports a failure to the `failed` route beside it, with the same query. */
  timelineUrl: safeUrl,
});

export type KickstartInput = z.output<typeof kickstartInputSchema>;
export type KickstartInputDraft = z.input<typeof kickstartInputSchema>;
export type RepoRef = z.output<typeof repoRefSchema>;

/** Parses a draft input, or throws ValidationError listing every problem (values never echoed). */
export function parseKickstartInput(draft: unknown): KickstartInput {
  const result = kickstartInputSchema.safeParse(draft);
  if (result.success) return result.data;
  const problems: Problem[] = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message,
  }));
  throw new ValidationError(problems, 'kickstart input');
}
