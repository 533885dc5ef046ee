import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{striker,pxe,kickstart,repo-sync,cluster}/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules', 'dist', 'ui/**'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
