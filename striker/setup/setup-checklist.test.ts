import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleChecklist, readChecklist, setupStepOrder } from './setup-checklist.js';

const done = { done: true, detail: 'yes' };
const todo = { done: false, detail: 'no' };

describe('assembleChecklist', () => {
  it('keeps the installer’s order, names the first undone step and links each step to its page', () => {
    const c = assembleChecklist({ manifest: todo, pxe: todo, media: done, repos: done, 'root-password': done, machines: todo });
    expect(c.steps.map((s) => s.id)).toEqual(['media', 'repos', 'root-password', 'pxe', 'machines', 'manifest']);
    expect(c.next).toBe('pxe');
    expect(c.complete).toBe(false);
    expect(c.steps.find((s) => s.id === 'root-password')?.href).toBe('/settings/kickstart');
    expect(c.steps.find((s) => s.id === 'pxe')?.href).toBe('/settings/pxe');
  });

  it('leaves out a step with no source and is complete when every present step is done', () => {
    const c = assembleChecklist({ media: done, repos: done, 'root-password': done, pxe: done, machines: done });
    expect(c.steps.map((s) => s.id)).not.toContain('manifest');
    expect(c).toMatchObject({ complete: true, next: null });
  });

  it('shows a failed read as that step’s error, not done', () => {
    const c = assembleChecklist({ media: new Error('database away'), repos: done });
    expect(c.steps[0]).toMatchObject({ id: 'media', done: false, error: true, detail: 'Could not be read: database away' });
    expect(c.next).toBe('media');
  });
});

describe('readChecklist', () => {
  it('reads every source; one that throws becomes its step’s error and is reported', async () => {
    const failed: string[] = [];
    const c = await readChecklist({ media: async () => done, repos: async () => { throw new Error('boom'); } }, (id) => failed.push(id));
    expect(c.steps.map((s) => [s.id, s.done, s.error ?? false])).toEqual([['media', true, false], ['repos', false, true]]);
    expect(failed).toEqual(['repos']);
  });

  it('has one entry per step id', () => {
    expect(new Set(setupStepOrder.map((s) => s.id)).size).toBe(setupStepOrder.length);
  });

  it('links every step to a page the UI has (ui/src/routes/<href>/+page.svelte)', () => {
    const missing = setupStepOrder.filter((s) => !existsSync(new URL(`../../ui/src/routes${s.href}/+page.svelte`, import.meta.url)));
    expect(missing.map((s) => `${s.id} → ${s.href}`)).toEqual([]);
  });
});
