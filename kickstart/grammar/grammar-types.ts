/**
 * The shape of the kickstart grammar tables (kickstart-grammar.ts, grammar/storage-commands.ts):
 * per command its options and their value types, positional arguments, the rules between options,
 * and whether the command or an option is deprecated (a warning) or removed (an error).
 */
import type { ValueType } from './value-types.js';

export interface OptionSpec {
  /** The value the option takes; absent for a flag (argparse store_true/store_const). */
  value?: ValueType;
  /** Deprecated in RHEL 9: accepted with this warning. */
  deprecated?: string;
  /** Removed from the grammar: an error with this explanation. */
  removed?: string;
}

/** Rules between a command's options and arguments, checked once the line is parsed. */
export type CommandRule =
  /** At least one of `options` must be given, unless one of `unless` is. */
  | { kind: 'atLeastOne'; options: readonly string[]; unless?: readonly string[]; message: string }
  /** At most one of `options` may be given. */
  | { kind: 'atMostOne'; options: readonly string[]; message: string }
  /** When `option` is given, every one of `needs` must be given too. */
  | { kind: 'needs'; option: string; needs: readonly string[]; message: string }
  /** At least `min` positional arguments, unless one of `unless` is given. */
  | { kind: 'argsAtLeast'; min: number; unless?: readonly string[]; message: string }
  /** No more than `max` positional arguments when one of `when` is given. */
  | { kind: 'argsAtMost'; max: number; when: readonly string[]; message: string }
  /** The line must carry something: an option or an argument. */
  | { kind: 'notEmpty'; message: string }
  /** `option` may not take one of `values` (compared case-insensitively). */
  | { kind: 'forbidValue'; option: string; values: readonly string[]; message: string };

export interface CommandSpec {
  /** Options by name; aliases are listed as their own entries. */
  options: Readonly<Record<string, OptionSpec>>;
  /** Positional arguments allowed: [min, max] (max undefined = unbounded). */
  args: readonly [number, number | undefined];
  /** What the positional arguments are, for messages. */
  argsName?: string;
  /** The command passes its arguments on unparsed (authselect, realm): options are not checked. */
  freeForm?: boolean;
  /** Options that must be present. */
  required?: readonly string[];
  rules?: readonly CommandRule[];
  /** May appear more than once (part, repo, network…). */
  repeatable?: boolean;
  /** Accepted by RHEL 9 but deprecated: a warning with this text. */
  deprecated?: string;
  /** Not part of the RHEL 9 grammar any more: an error with this text. */
  removed?: string;
  /** Commands that cannot be used in the same kickstart. */
  conflicts?: readonly string[];
}

export type SectionKind = 'packages' | 'script' | 'addon' | 'anaconda';

export interface SectionSpec {
  kind: SectionKind;
  options: Readonly<Record<string, OptionSpec>>;
  args: readonly [number, number | undefined];
  /** Accepted by RHEL 9 but deprecated: a warning with this text. */
  deprecated?: string;
  /** Only one such section per kickstart. */
  once?: boolean;
}

export const flag: OptionSpec = {};
export const str: OptionSpec = { value: { kind: 'string' } };
export const int: OptionSpec = { value: { kind: 'int' } };
export const ksbool: OptionSpec = { value: { kind: 'ksboolean' } };
export const choice = (choices: readonly string[], ignoreCase = false): OptionSpec => ({ value: { kind: 'choice', choices, ignoreCase } });
export const typed = (value: ValueType): OptionSpec => ({ value });

/** pykickstart's wording for an option declared with `deprecated=` (options.py, KSOptionParser._parse_optional). */
export function deprecatedOption(name: string, value?: OptionSpec['value']): OptionSpec {
  return {
    ...(value === undefined ? {} : { value }),
    deprecated: `The ${name} option has been deprecated and no longer has any effect. It may be removed from future releases, which will result in a fatal error from kickstart. Please modify your kickstart file to remove this option.`,
  };
}

/** An option taken out with `remove_argument(version=…)`: argparse then refuses it. */
export function removedOption(name: string, since: string, advice?: string): OptionSpec {
  return { removed: `option ${name} was removed from the kickstart grammar in ${since}${advice === undefined ? '' : `; ${advice}`}` };
}

/** The encryption options shared by part, raid and logvol (pykickstart F29 *Data: luks/pbkdf). */
export const encryptionOptions: Readonly<Record<string, OptionSpec>> = {
  '--encrypted': flag, '--passphrase': str, '--escrowcert': str, '--backuppassphrase': flag, '--cipher': str,
  '--luks-version': str, '--pbkdf': str, '--pbkdf-memory': int, '--pbkdf-time': int, '--pbkdf-iterations': int,
};
