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
    csp: { mode: 'hash', directives: { 'default-src': ['self'], 'img-src': ['self', 'data:'], 'style-src': ['self', 'unsafe-inline'], 'connect-src': ['self'] } },
  },
};
