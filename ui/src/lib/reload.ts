/**
 * The one way a page reads its data again (`reload('app:jobs')`, instead of SvelteKit's
 * `invalidate`): after a live change, after the page's own action.
 *
 * SvelteKit 2 aborts a navigation in flight when an invalidation starts (sveltejs/kit#9354: both
 * share one navigation token, and the navigation, finding the token changed when its loads end,
 * gives up). A live change arriving while the page a link leads to is loading would lose the
 * user's click: the browser stays where it was. So while a navigation is under way this waits for
 * it: a navigation to another page loads that page's own data (the page left needs none), and one
 * that stays on this page (a filter in the query) is followed by the reload it waited for.
 */
import { invalidate } from '$app/navigation';
import { navigating, page } from '$app/state';

export async function reload(dependency: string): Promise<void> {
  const underway = navigating.complete;
  if (underway) {
    const here = page.url.pathname;
    await underway.catch(() => undefined);
    if (page.url.pathname !== here) return;
    return reload(dependency);
  }
  await invalidate(dependency);
}
