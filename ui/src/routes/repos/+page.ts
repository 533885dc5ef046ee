import type { PageLoad } from './$types';
import type { RepoView, TreeView } from '$lib/repos';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends('app:repos');
  const get = async <T,>(path: string): Promise<T> => (await fetch(path, { headers: { accept: 'application/json' } })).json() as Promise<T>;
  const [r, t] = await Promise.all([get<{ repos?: RepoView[] }>('/api/repos'), get<{ trees?: TreeView[] }>('/api/trees')]);
  return { repos: r.repos ?? [], trees: t.trees ?? [] };
};
