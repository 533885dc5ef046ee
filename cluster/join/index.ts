/**
 * Cluster formation, Striker's side (striker/app wires it): the pairs' corosync authkeys, sealed
 * (`pairKeysTable` for key rotation), and the agent route that hands a subnode its join plan. The
 * agent's side, `cluster.join`'s runner, is join-runner.ts, imported by file from the agent's entry
 * so its bundle stays free of fastify and PostgreSQL.
 */
export { pairKeysTable } from './pair-key-store.js';
export { pairAuthkey, type PairKeyDeps } from './pair-authkey.js';
export { planJoin, type JoinPlanInput } from './join-plan.js';
export { joinPlanSchema, joinPlanPath, type JoinPlan } from './join-plan-schema.js';
export { joinPlanForAgent, type JoinPlanDeps } from './join-plan-actions.js';
export { joinPlanRoutes } from './join-plan-routes.js';
