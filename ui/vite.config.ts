import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  // The appliance is offline: nothing may be fetched from a CDN at run time, so nothing is externalised.
  // (bundlerTimings off: its report of slow plugins is noise in every `npm run build`.)
  build: { sourcemap: false, rolldownOptions: { checks: { bundlerTimings: false } } },
  // Bundle SvelteKit's own dependencies into the server build: the project root holds other
  // majors of some of them (cookie 2 for @fastify/cookie) that Kit's runtime cannot use.
  ssr: { noExternal: true },
});
