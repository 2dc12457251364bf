import react from '@vitejs/plugin-react-swc';
import { defineConfig } from 'vite';

// The web console: built into dist/console at the project root, which the API serves at `/` (serve-console.ts).
// Everything is bundled (no CDN: county intranets often have no internet). Charts (ECharts) are imported lazily.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../../dist/console',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    manifest: true,
    chunkSizeWarningLimit: 1500,
    modulePreload: { polyfill: false },
  },
  server: { proxy: { '/v1': 'http://localhost:3000' } },
});
