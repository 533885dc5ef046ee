/**
 * The names a server carries everywhere at once: its libvirt domain, its DRBD resource, its
 * pacemaker resource, its backing volume and its files are all called by the server's name, so
 * the name must be valid for each of them. A letter first (pacemaker ids and XML ids need it),
 * then letters, digits, `-` or `_`, 48 characters at most (an LVM name or a path stays short).
 */
import { z } from 'zod';

export const serverNamePattern = /^[A-Za-z][A-Za-z0-9_-]{0,47}$/;

export const serverNameSchema = z
  .string()
  .regex(serverNamePattern, 'must be a server name like srv01-web (a letter, then letters, digits, - or _; at most 48)');

/** A host name as the manifest makes them (a lower-case DNS label), like an-a01n01. */
export const hostNameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a host name like an-a01n01 (lower-case letters, digits, inner hyphens)');

/** An absolute path with no `..` step and no characters a config file would have to quote. */
export const absolutePathSchema = z
  .string()
  .max(4096)
  .regex(/^\/[A-Za-z0-9._+@:,=\/-]*$/, 'must be an absolute path of letters, digits and ._+@:,=-/')
  .refine((p) => !p.split('/').includes('..'), 'must not contain a .. step');
