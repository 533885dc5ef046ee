// See https://svelte.dev/docs/kit/types#app.d.ts
// The UI imports the server's response types (type-only); svelte-check then reads the server
// modules they come from. Those modules use `request.cookies` and `reply.setCookie`, which
// @fastify/cookie adds to fastify's types where the server registers the plugin (build-app.ts);
// the reference below gives the UI's type check the same view. Nothing of it reaches the bundle.
/// <reference types="@fastify/cookie" />
declare global {
  namespace App {
    /** Shallow-routing state: the setup wizard's step of a history entry it pushed. */
    interface PageState {
      step?: string;
    }
  }
}
export {};
