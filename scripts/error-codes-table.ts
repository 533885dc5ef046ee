// Prints README.md's error-code table from striker/errors/codes.ts, or rewrites it in place
// with --write. striker/errors/codes.test.ts fails when the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { errorCodes } from '../striker/core/errors/codes.js';

const table = ['| code | status | meaning |', '| --- | --- | --- |', ...Object.entries(errorCodes).map(([code, { status, doc }]) => `| \`${code}\` | ${status} | ${doc} |`)].join('\n');
if (process.argv.includes('--write')) {
  const readme = readFileSync('README.md', 'utf8');
  const [head, rest] = readme.split('<!-- error-codes:start -->');
  const tail = rest!.split('<!-- error-codes:end -->')[1];
  writeFileSync('README.md', `${head}<!-- error-codes:start -->\n${table}\n<!-- error-codes:end -->${tail}`);
} else {
  process.stdout.write(`${table}\n`);
}
