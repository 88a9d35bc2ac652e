// Vite builds the portal into dist/, which `accord serve --web web/dist` serves at "/".
// `npm run dev` serves it with hot reload and forwards /api to a running server
// (ACCORD_URL, default http://127.0.0.1:8080), so the portal can be worked on against real data.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': process.env.ACCORD_URL ?? 'http://127.0.0.1:8080',
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
