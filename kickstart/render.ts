/**
 * Renders a RHEL 9-family kickstart for one host: commands, `%include` of the partitioning the
 * `%pre` disk planner writes, `%packages` per role, `%pre`, `%post` and `%onerror`. Pure: takes validated
 * data (or a draft it validates) and returns text. The output holds secrets (root password hash,
 * registration token): serve it only through routes.ts and never log it.
 */
import { diskRulesByRole, type DiskRules } from './disk-rules.js';
import { renderDiskScript } from './disk-script.js';
import { parseKickstartInput, type KickstartInput, type KickstartInputDraft } from './kickstart-input.js';
import { renderCommands } from './render-commands.js';
import { renderOnerror } from './render-onerror.js';
import { installErrorFile, renderPost } from './render-post.js';
import { packagesByRole } from './role-packages.js';

/**
 * `%pre` says why it failed: on a non-zero exit it writes the disk planner's own message (the
 * `# Striker disk plan failed: …` line its `fail` leaves in /tmp/part-include) to the reason file
 * `%onerror` sends.
 */
const preFailureTrap = `trap 'rc=$?; if [ "$rc" != 0 ]; then r=$(sed -n "s/^# Striker disk plan failed: //p" /tmp/part-include 2>/dev/null | head -n 1); echo "%pre failed (exit $rc): \${r:-the disk planner stopped}" > ${installErrorFile}; fi' EXIT`;

export interface RenderOptions {
  /** Overrides the role's disk rules (diskRulesByRole). */
  diskRules?: DiskRules;
}

export function renderKickstart(draft: KickstartInputDraft | KickstartInput, options: RenderOptions = {}): string {
  const input = parseKickstartInput(draft);
  const rules = options.diskRules ?? diskRulesByRole[input.role];
  const lines = [
    ...renderCommands(input),
    '',
    '%packages',
    ...packagesByRole[input.role],
    '%end',
    '',
    '%pre --interpreter=/bin/sh --erroronfail --log=/tmp/striker-ks-pre.log',
    preFailureTrap,
    renderDiskScript(rules, input.disks ?? []).trimEnd(),
    '%end',
    '',
    ...renderPost(input),
    '',
    ...renderOnerror(input),
  ];
  return `${lines.join('\n')}\n`;
}
