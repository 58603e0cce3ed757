import { defineConfig } from 'vitest/config';

// Two projects: fast unit/e2e tests, and the slower fault-injection/soak ones. CI runs both.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'main',
          include: ['test/unit/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/compat/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'slow',
          include: ['test/slow/**/*.test.ts'],
          testTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
