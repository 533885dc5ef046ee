/**
 * The password policy beyond length (the schemas ask for 10 to 1024 characters): a password on the
 * list of common passwords shipped offline by @zxcvbn-ts/language-common (collected from breaches)
 * is refused, and so is one whose zxcvbn strength estimate is below 3 of 4 ("safely unguessable"),
 * counting the user's own name and display name, and Striker's own words, as easy guesses.
 * The problem says why and never quotes the password.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';

/** The least zxcvbn score (0–4) accepted. */
export const MIN_PASSWORD_SCORE = 3;

/**
 * zxcvbn's work grows steeply with length (a 128-character repeating pattern takes about half a
 * second of the event loop); the first 64 characters are estimated, which is far past score 4.
 */
const ESTIMATED_LENGTH = 64;

/** Words anyone attacking this appliance tries first. */
const SITE_WORDS = ['striker', 'anvil', 'admin', 'alteeve'];

interface Estimator {
  zxcvbn: ZxcvbnFactory;
  common: ReadonlySet<string>;
}

let estimator: Estimator | undefined;

/** Built on first use: ranking the dictionaries takes a noticeable moment. */
function getEstimator(): Estimator {
  estimator ??= {
    zxcvbn: new ZxcvbnFactory({
      dictionary: { ...commonDictionary, ...englishDictionary },
      graphs: adjacencyGraphs,
      translations,
      maxLength: ESTIMATED_LENGTH,
    }),
    common: new Set(commonDictionary['passwords-common'].map((p) => p.toLowerCase())),
  };
  return estimator;
}

/**
 * Why `password` is too weak, as the tail of a problem message ("is …"), or undefined when it is
 * strong enough. `userInputs`: the user name and display name (split into words here).
 */
export function passwordWeakness(password: string, userInputs: readonly string[]): string | undefined {
  const { zxcvbn, common } = getEstimator();
  if (common.has(password.toLowerCase())) return 'is on the list of common passwords leaked in breaches; choose another';
  const inputs = [...SITE_WORDS, ...userInputs.flatMap((text) => [text, ...text.split(/[^\p{L}\p{N}]+/u)])].filter((w) => w.length > 0);
  const result = zxcvbn.check(password, inputs);
  if (result.score >= MIN_PASSWORD_SCORE) return undefined;
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter((s): s is string => typeof s === 'string' && s.length > 0);
  const why = advice.length > 0 ? advice.join(' ') : 'Add a few more unrelated words.';
  return `is too easy to guess (strength ${result.score} of 4, at least ${MIN_PASSWORD_SCORE} needed): ${why}`;
}
