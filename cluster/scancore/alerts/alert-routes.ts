/**
 * The alerts API: history (filtered by level and host, paged) and acknowledge for operators;
 * recipients (and the languages they may choose), mail servers and the test e-mail for admins.
 * Relay passwords are never returned.
 */
import type { FastifyInstance } from 'fastify';
import {
  acknowledgeAlert,
  addMailServer,
  addRecipient,
  alertHistory,
  changeMailServer,
  changeRecipient,
  listAlertMailServers,
  listAlertRecipients,
  removeMailServer,
  removeRecipient,
  sendTestEmail,
} from './actions.js';
import type { AlertsDeps } from './alerts-deps.js';
import { languageChoices } from './message-catalogue.js';

const BODY_LIMIT = 64 * 1024;
type WithId = { Params: { id: string } };

export function alertRoutes(app: FastifyInstance, deps: AlertsDeps): void {
  app.get('/api/alerts', { config: { access: 'viewer' } }, async (request) => alertHistory(deps, request.query, { inputPath: 'query' }));
  app.post<WithId>('/api/alerts/:id/acknowledge', { config: { access: 'operator' }, bodyLimit: BODY_LIMIT }, async (request) =>
    acknowledgeAlert(deps, request.actor!, request.params.id, { requestId: request.id }),
  );

  app.get('/api/alerts/recipients', { config: { access: 'admin' } }, async () => listAlertRecipients(deps));
  app.get('/api/alerts/languages', { config: { access: 'admin' } }, async () => ({ languages: languageChoices() }));
  app.post('/api/alerts/recipients', { config: { access: 'admin' }, bodyLimit: BODY_LIMIT }, async (request, reply) =>
    reply.status(201).send(await addRecipient(deps, request.actor!, request.body, { requestId: request.id, inputPath: 'body' })),
  );
  app.put<WithId>('/api/alerts/recipients/:id', { config: { access: 'admin' }, bodyLimit: BODY_LIMIT }, async (request) =>
    changeRecipient(deps, request.actor!, request.params.id, request.body, { requestId: request.id, inputPath: 'body' }),
  );
  app.delete<WithId>('/api/alerts/recipients/:id', { config: { access: 'admin' } }, async (request) => removeRecipient(deps, request.actor!, request.params.id, { requestId: request.id }));

  app.get('/api/alerts/mail-servers', { config: { access: 'admin' } }, async () => listAlertMailServers(deps));
  app.post('/api/alerts/mail-servers', { config: { access: 'admin' }, bodyLimit: BODY_LIMIT }, async (request, reply) =>
    reply.status(201).send(await addMailServer(deps, request.actor!, request.body, { requestId: request.id, inputPath: 'body' })),
  );
  app.put<WithId>('/api/alerts/mail-servers/:id', { config: { access: 'admin' }, bodyLimit: BODY_LIMIT }, async (request) =>
    changeMailServer(deps, request.actor!, request.params.id, request.body, { requestId: request.id, inputPath: 'body' }),
  );
  app.delete<WithId>('/api/alerts/mail-servers/:id', { config: { access: 'admin' } }, async (request) => removeMailServer(deps, request.actor!, request.params.id, { requestId: request.id }));

  app.post('/api/alerts/test-email', { config: { access: 'admin' }, bodyLimit: BODY_LIMIT }, async (request) =>
    sendTestEmail(deps, request.actor!, request.body, { requestId: request.id, inputPath: 'body' }),
  );
}
