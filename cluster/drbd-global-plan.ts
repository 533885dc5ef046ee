/**
 * DRBD's `global_common.conf` for a node pair (drbd.conf(5), DRBD 9): the settings every replicated
 * server volume shares.
 *
 * - `fencing resource-and-stonith`: a primary that loses its peer freezes I/O and calls the
 *   fence-peer handler (cluster/fence-peer/), which bans the peer from the resource through
 *   pacemaker, or has pacemaker power it off when it does not answer; I/O resumes when the handler
 *   says the peer can no longer write. unfence-peer lifts the ban once the peer is UpToDate again.
 * - After a split brain: with no primary, the side without changes gives up its data
 *   (`discard-zero-changes`); with one primary, the secondary's changes are discarded
 *   (`discard-secondary`); with two, DRBD disconnects and an operator decides — no automatic
 *   policy is safe when both sides have written.
 * - Timeouts: the network timeout stays below corosync's token timeout, so DRBD notices a dead
 *   peer and freezes before pacemaker acts on it; `ping-timeout` and `connect-int` as DRBD ships.
 */
export interface DrbdGlobalOptions {
  /** Shell command DRBD runs as the fence-peer handler (DRBD appends nothing; it passes the environment). */
  fencePeerCommand: string;
  /** Shell command DRBD runs as the unfence-peer handler. */
  unfencePeerCommand: string;
  /** net.timeout in tenths of a second (default 60 = 6 s). */
  timeoutDeciseconds?: number;
}

/** Where the agent package installs the handler; DRBD runs it through /bin/sh with the resource in its environment. */
export const defaultFencePeerCommand = '/usr/libexec/striker/drbd-fence-peer fence';
export const defaultUnfencePeerCommand = '/usr/libexec/striker/drbd-fence-peer unfence';

const quoted = (command: string) => `"${command.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function renderDrbdGlobalCommon(options: Partial<DrbdGlobalOptions> = {}): string {
  const fence = options.fencePeerCommand ?? defaultFencePeerCommand;
  const unfence = options.unfencePeerCommand ?? defaultUnfencePeerCommand;
  const timeout = options.timeoutDeciseconds ?? 60;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 600) throw new RangeError(`timeoutDeciseconds must be a whole number 1–600 — got ${timeout}`);
  return [
    '# Written by Striker for the node pair; every resource file includes these settings.',
    'global {',
    '    usage-count no;',
    '}',
    '',
    'common {',
    '    handlers {',
    `        fence-peer ${quoted(fence)};`,
    `        unfence-peer ${quoted(unfence)};`,
    '    }',
    '',
    '    startup {',
    '        wfc-timeout 300;',
    '        degr-wfc-timeout 120;',
    '        outdated-wfc-timeout 120;',
    '    }',
    '',
    '    options {',
    '        auto-promote no;',
    '    }',
    '',
    '    net {',
    '        protocol C;',
    '        fencing resource-and-stonith;',
    '        after-sb-0pri discard-zero-changes;',
    '        after-sb-1pri discard-secondary;',
    '        after-sb-2pri disconnect;',
    `        timeout ${timeout};`,
    '        ping-timeout 5;',
    '        connect-int 10;',
    '    }',
    '}',
    '',
  ].join('\n');
}
