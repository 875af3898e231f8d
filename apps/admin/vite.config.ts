import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The back-office is served by the API server under /admin/ (same origin as /v1, so the refresh
 * cookie and the CSP work without CORS). In development `vite` proxies /v1 to a local server.
 */
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  root: fileURLToPath(new URL('.', import.meta.url)),
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // A clinic laptop on hospital Wi-Fi: keep the first load small and cacheable. The big vendors
    // (React, MUI, react-admin) change rarely and get their own long-lived chunks; the charts are
    // imported only by the patient page, which is loaded lazily (src/patients/index.ts), so
    // Recharts never ships with the sign-in page or the lists.
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (!id.includes('node_modules')) return undefined;
          if (/node_modules\/(@mui|@emotion)/.test(id)) return 'mui';
          if (/node_modules\/(react-admin|ra-|@tanstack|react-hook-form|react-router|node-polyglot|lodash)/.test(id))
            return 'react-admin';
          if (/node_modules\/(react|react-dom|scheduler)\//.test(id)) return 'react';
          // Everything else (Recharts and its helpers included) follows the import graph, so the
          // chart code lands in the lazily loaded patient page's chunks, not the first load.
          return undefined;
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: { '/v1': { target: process.env.API_URL ?? 'http://localhost:3000', changeOrigin: false } },
  },
});
