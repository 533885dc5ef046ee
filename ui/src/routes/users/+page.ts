import { error } from '@sveltejs/kit';
import type { PageLoad } from './$types';

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  role: 'viewer' | 'operator' | 'admin';
  disabled: boolean;
  createdAt: string;
}

export const load: PageLoad = async ({ fetch, depends }) => {
  depends('app:users');
  const res = await fetch('/api/users', { headers: { accept: 'application/json' } });
  if (res.status === 403) error(403, 'Only administrators manage users.');
  return { users: ((await res.json()) as { users: UserView[] }).users };
};
