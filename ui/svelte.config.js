// The Striker web UI: SvelteKit with adapter-node, built to ui/build and served by `striker serve`
// (striker/serve/ui-plugin.ts) on the API's port. Uses the project's root node_modules.
import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'build', precompress: false }),
    // Everything is served from this machine: no inline data from elsewhere, no outside origins.
    // SvelteKit hashes the inline script that starts the app into script-src and sends the policy
    // as a header on every page; the UI is never framed (frame-ancestors, with X-Frame-Options
    // from striker/app/ui-plugin.ts for older browsers).
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'img-src': ['self', 'data:'],
        'style-src': ['self', 'unsafe-inline'],
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
      },
    },
  },
};
