/**
 * `%onerror`: Anaconda runs it in the installer environment when the install fails (a `%pre` or
 * `%post` with --erroronfail, a package that cannot be installed, a storage error). It posts a
 * failure report to the machine's `failed` route (beside `timelineUrl`, with the same signature):
 * the registration token served with this kickstart (so the report is for this install), the
 * reason, and the last lines of the logs that say more. The reason is what `%pre` or `%post` wrote
 * to `installErrorFile` when one of them failed, else the last error line of anaconda.log, else
 * a plain "the installer stopped with an error"; at most 1,000 characters. Log tails: at most 50
 * lines of each, each line cut to 300 characters and each tail to its last 6,000, so the body stays
 * inside what the route accepts (ks-routes.ts). Python, because the installer image has it and it
 * encodes the log text as JSON without shell quoting. The URL and the token are validated (no
 * quotes or backslashes), so single-quoted Python strings hold them.
 */
import type { KickstartInput } from './kickstart-input.js';
import { installErrorFile, postLog } from './render-post.js';

export const onerrorLogLines = 50;
export const onerrorLineChars = 300;
const onerrorTailChars = 6000;
export const onerrorReasonChars = 1000;

/** Logs to report, most specific first; `%post` logs inside the installed system (/mnt/sysimage). */
const onerrorLogs: readonly string[] = ['/tmp/striker-ks-pre.log', `/mnt/sysimage${postLog}`, '/tmp/packaging.log', '/tmp/anaconda.log'];

/** The reason files: `%pre`'s in the installer, `%post`'s in the installed system. */
const reasonFiles: readonly string[] = [installErrorFile, `/mnt/sysimage${installErrorFile}`];

/** The failure route beside the events URL, same query (its signature covers both). */
export function failureUrlOf(timelineUrl: string): string {
  return timelineUrl.replace(/\/events(?=\?|$)/, '/failed');
}

export function renderOnerror(input: KickstartInput): string[] {
  return [
    '%onerror --interpreter=/usr/bin/python3 --log=/tmp/striker-ks-onerror.log',
    'import json, time, urllib.request',
    `LOGS = ${JSON.stringify(onerrorLogs)}`,
    'tails = []',
    'for path in LOGS:',
    '    try:',
    "        with open(path, 'rb') as f:",
    '            f.seek(0, 2)',
    '            f.seek(max(0, f.tell() - 262144))',
    `            lines = f.read().decode('utf-8', 'replace').splitlines()[-${onerrorLogLines}:]`,
    '    except OSError:',
    '        continue',
    `    tails.append({'file': path, 'tail': '\\n'.join(line[:${onerrorLineChars}] for line in lines)[-${onerrorTailChars}:]})`,
    "reason = ''",
    `for path in ${JSON.stringify(reasonFiles)}:`,
    '    try:',
    "        with open(path, 'rb') as f:",
    "            reason = f.read(4000).decode('utf-8', 'replace').strip()",
    '    except OSError:',
    '        continue',
    '    if reason:',
    '        break',
    'if not reason:',
    '    for t in tails:',
    "        if t['file'] == '/tmp/anaconda.log':",
    "            errors = [line for line in t['tail'].splitlines() if ' ERR ' in line or 'Error' in line]",
    '            if errors:',
    "                reason = 'anaconda: ' + errors[-1]",
    'if not reason:',
    "    reason = 'the installer stopped with an error'",
    `body = json.dumps({'token': '${input.registration.token}', 'hostId': '${input.host.hostId}', 'reason': reason[:${onerrorReasonChars}], 'logs': tails}).encode()`,
    `request = urllib.request.Request('${failureUrlOf(input.timelineUrl)}', data=body, headers={'Content-Type': 'application/json'}, method='POST')`,
    'for attempt in range(5):',
    '    try:',
    '        urllib.request.urlopen(request, timeout=10).close()',
    "        print('install failure reported to Striker')",
    '        break',
    '    except Exception as error:',
    "        print('reporting the failure to Striker failed:', error)",
    '        time.sleep(3)',
    '%end',
  ];
}
