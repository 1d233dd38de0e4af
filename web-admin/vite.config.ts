import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Where `npm run dev` and `npm run preview` send API calls: a local SageMCP by default.
const target = process.env.SAGEMCP_URL ?? 'http://127.0.0.1:8000';

// The server answers MCP requests only for loopback or configured Host names, so the proxy keeps
// the target's Host; `ws` carries the MCP tester's WebSocket and `/api` covers the live log stream.
const proxy = {
  '/api': { target, changeOrigin: true, ws: true },
  '/health': { target, changeOrigin: true },
  '/metrics': { target, changeOrigin: true },
};

export default defineConfig({
  plugins: [react()],
  server: { proxy },
  preview: { proxy },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
  },
});
