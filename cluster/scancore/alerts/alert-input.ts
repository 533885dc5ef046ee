/**
 * What admins send to change alert settings: recipients (with per-host overrides) and SMTP relays.
 * A relay's password is a secret: on input a string, `{ "set": true }` to keep the stored one, or
 * null for none; on output always `{ "set": true|false }`.
 */
import { z } from 'zod';
import { ALERT_LEVELS, RECIPIENT_LEVELS } from './alert-level.js';
import { shippedLanguages } from './message-catalogue.js';

const hostName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9._:-]*[A-Za-z0-9])?$/, 'must be a host name or address (letters, digits, . - _ :)');
const email = z.email('must be an e-mail address').max(254);
const languages = shippedLanguages() as [string, ...string[]];

export const recipientInput = z.strictObject({
  name: z.string().trim().min(1, 'is required').max(100),
  email,
  language: z.enum(languages).default('en'),
  level: z.enum(RECIPIENT_LEVELS),
  overrides: z
    .array(z.strictObject({ host: hostName, level: z.enum(RECIPIENT_LEVELS) }))
    .max(500)
    .default([])
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((o, i) => {
        if (seen.has(o.host)) ctx.addIssue({ code: 'custom', path: [i, 'host'], message: `${o.host} has more than one override` });
        seen.add(o.host);
      });
    }),
});
export type RecipientInput = z.output<typeof recipientInput>;

export const secretInput = z.union([z.string().min(1, 'must not be empty').max(1024), z.strictObject({ set: z.literal(true) }), z.null()]);

export const mailServerInput = z
  .strictObject({
    host: hostName,
    port: z.number().int().min(1).max(65535),
    security: z.enum(['none', 'starttls', 'tls']),
    username: z.string().min(1).max(254).nullable().default(null),
    password: secretInput.default(null),
    sender: email,
    position: z.number().int().min(0).max(1000).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.username === null && s.password !== null) ctx.addIssue({ code: 'custom', path: ['password'], message: 'needs a username' });
  });
export type MailServerInput = z.output<typeof mailServerInput>;

export const testEmailInput = z
  .strictObject({ to: email.optional(), recipientId: z.uuid().optional(), language: z.enum(languages).optional() })
  .refine((t) => (t.to === undefined) !== (t.recipientId === undefined), { message: 'give either to or recipientId', path: ['to'] });

export const historyQuery = z.strictObject({
  level: z.enum(ALERT_LEVELS).optional(),
  host: hostName.optional(),
  /** `true`: only the open alerts (raised, or clearing and not yet cleared). */
  open: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});
