/**
 * The kickstart area's public surface, for `striker serve`, the CLI and the API.
 * Rendering and planning are pure; routes, the package check and the signing key are adapters.
 */
export { kickstartConfigSchema, type KickstartConfig } from './config.js';
export { kickstartInputSchema, parseKickstartInput, roles, type KickstartInput, type KickstartInputDraft, type RepoRef, type Role } from './kickstart-input.js';
export { renderKickstart } from './render.js';
export { diskRulesByRole, planDisks, type DiskRules, type DiskPlan } from './disk-rules.js';
export { renderDiskScript } from './disk-script.js';
export { renderPartInclude } from './part-include.js';
export { lintKickstart, type LintProblem, type LintResult } from './lint.js';
export { hashRootPassword } from './password-hash.js';
export { checkHost, previewKickstart, type CheckProblem, type HostDraft, type KickstartCheck } from './preboot-check.js';
export { checkPackages, type CheckRepo } from './package-check.js';
export { describePackageProblem, packageRequestOf, type PackageProblem } from './package-problem.js';
export { decideAccess, type AccessDecision } from './access-decision.js';
export { signHost, verifySignature } from './signed-url.js';
export { hashToken, issueToken, memoryExchange, MemoryTokenStore, presentedTokenHash, type RegistrationAnswer, type RegistrationExchange, type TokenStore } from './registration-token.js';
export { kickstartLogRedactPaths, redactSecrets, redactString } from './redact.js';
export { loadOrCreateSigningKey } from './signing-key.js';
export {
  createKickstartCounters, kickstartPath, kickstartRoutes,
  type KickstartCounters, type KickstartHost, type KickstartHostLookup, type KickstartRouteDeps,
} from './ks-routes.js';
export {
  checkDepsOf, draftPlaceOf, kickstartArea, type KickstartArea, type KickstartAreaConfig, type KickstartAreaDeps,
} from './kickstart-area.js';
export { loadCheck, statusOf, type KickstartStatus, type StoredCheck } from './check-store.js';
export { loadHostDraft, type DraftPlace, type HostDraftResult } from './host-drafts.js';
export { redactedPreview, type KickstartCheckResponse, type KickstartSettingsResponse, type KickstartStatusResponse } from './kickstart-api-routes.js';
export { runKickstartCheck, type CheckDeps, type CheckOutcome } from './run-check.js';
export { changeKickstartSettings, checkRequestSchema, parseSettingsChange, registerHost, requestKickstartCheck, settingsChangeSchema, type RegisteredHook } from './actions.js';
export { kickstartCheckJobKind } from './check-jobs.js';
export { rootPasswordSetupStep } from './setup-step.js';
