// Vite build of the safecomm console. `npm run build` writes dist/ and then
// gzip copies of the text assets (scripts/gzip.mjs), which the server sends
// with Content-Encoding: gzip to clients that accept it.
//
// Development: `npm run dev` proxies /api and /healthz to SAFECOMM_DEV_API
// (default http://127.0.0.1:8080). The pages are compiled SFCs and the
// runtime-only Vue build, so they run under the server's strict CSP (no eval,
// no inline scripts).
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const target = process.env.SAFECOMM_DEV_API || 'http://127.0.0.1:8080';

export default defineConfig({
    base: '/',
    plugins: [vue()],
    build: {
        outDir: 'dist',
        emptyOutDir: true,
        assetsInlineLimit: 0,
        chunkSizeWarningLimit: 1200,
        modulePreload: { polyfill: false },
        rollupOptions: {
            output: {
                manualChunks(id) {
                    if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts';
                    if (id.includes('node_modules/element-plus') || id.includes('node_modules/@element-plus'))
                        return 'element-plus';
                    // Only the map page needs Leaflet.
                    if (id.includes('node_modules/leaflet')) return 'leaflet';
                    if (id.includes('node_modules/')) return 'vendor';
                    return undefined;
                },
            },
        },
    },
    server: {
        proxy: {
            '/api': { target, changeOrigin: false },
            '/healthz': { target },
        },
    },
});
