import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Blocks run as child processes; two at a time is what 2 shared cores take without timeouts.
    maxConcurrency: 2,
    // The built packages (dist/) load through Node itself, as in a real host, so a plugin imported
    // by loadPlugins and this test share one copy of each package (and its error classes).
    server: { deps: { external: [/\/dist\//] } },
  },
});
