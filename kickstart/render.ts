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
import { renderPost } from './render-post.js';
import { packagesByRole } from './role-packages.js';

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
    renderDiskScript(rules, input.disks ?? []).trimEnd(),
    '%end',
    '',
    ...renderPost(input),
    '',
    ...renderOnerror(input),
  ];
  return `${lines.join('\n')}\n`;
}
