/**
 * `%onerror`: Anaconda runs it in the installer environment when the install fails (a `%pre` or
 * `%post` with --erroronfail, a package that cannot be installed, a storage error). It posts
 * `install.failed` to the machine's boot timeline with the last lines of the logs that say why:
 * at most 50 lines of each, each line cut to 300 characters and each tail to its last 6,000, so the
 * body stays inside what the events route accepts (ks-routes.ts). Python, because the installer
 * image has it and it encodes the log text as JSON without shell quoting. The URL is validated (no
 * quotes or backslashes), so a single-quoted Python string holds it.
 */
import type { KickstartInput } from './kickstart-input.js';
import { postLog } from './render-post.js';

export const onerrorLogLines = 50;
export const onerrorLineChars = 300;
const onerrorTailChars = 6000;

/** Logs to report, most specific first; `%post` logs inside the installed system (/mnt/sysimage). */
const onerrorLogs: readonly string[] = ['/tmp/striker-ks-pre.log', `/mnt/sysimage${postLog}`, '/tmp/packaging.log', '/tmp/anaconda.log'];

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
    `body = json.dumps({'event': 'install.failed', 'hostId': '${input.host.hostId}', 'logs': tails}).encode()`,
    `request = urllib.request.Request('${input.timelineUrl}', data=body, headers={'Content-Type': 'application/json'}, method='POST')`,
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
