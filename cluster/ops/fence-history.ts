/**
 * A pure reader of `stonith_admin --history '*' --output-as=xml` (pacemaker's fencing history for
 * every target): one event per fencing operation, newest first, with its target, action, status,
 * who asked (origin, client), who did it (delegate), when it completed and why it failed. Malformed
 * XML, an error result or an event missing a field is a DecodeError.
 */
import { DecodeError } from '../../striker/core/errors/index.js';
import type { FenceEvent } from '../crm-mon-parser.js';
import { child, childrenNamed, parseXml, type XmlElement } from '../pacemaker-xml.js';

const what = 'stonith_admin --history output';

export const fenceHistoryArgv = ['stonith_admin', '--history', '*', '--output-as=xml'] as const;

function attr(el: XmlElement, name: string): string {
  const v = el.attrs[name];
  if (v === undefined) throw new DecodeError(`<${el.name}> has no ${name} attribute`, what, 0);
  return v;
}

export function parseFenceHistory(text: string): FenceEvent[] {
  const root = parseXml(text, what);
  if (root.name !== 'pacemaker-result') throw new DecodeError(`root element must be <pacemaker-result> — got <${root.name}>`, what, 0);
  const status = child(root, 'status');
  if (status === undefined) throw new DecodeError('has no <status> (truncated?)', what, 0);
  if (status.attrs['code'] !== '0') throw new DecodeError(`stonith_admin reported an error: code ${status.attrs['code'] ?? '?'} ${status.attrs['message'] ?? ''}`.trim(), what, 0);
  const list = root.children.find((c) => c.name === 'list' && (c.attrs['name'] ?? '').includes('fencing history'));
  const events = childrenNamed(list ?? { name: '', attrs: {}, children: [] }, 'fence_event').map((e): FenceEvent => {
    const s = attr(e, 'status');
    if (s !== 'success' && s !== 'failed' && s !== 'pending') throw new DecodeError(`<fence_event> status must be success, failed or pending — got '${s}'`, what, 0);
    const event: FenceEvent = { target: attr(e, 'target'), action: attr(e, 'action'), status: s, origin: attr(e, 'origin'), client: attr(e, 'client') };
    if (e.attrs['delegate'] !== undefined) event.delegate = e.attrs['delegate'];
    if (e.attrs['completed'] !== undefined) event.completed = e.attrs['completed'];
    if (e.attrs['exit-reason'] !== undefined) event.exitReason = e.attrs['exit-reason'];
    return event;
  });
  return events;
}
