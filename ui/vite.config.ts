import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The desktop shell loads ui/dist (embedded at build time) or, in dev, http://localhost:5173.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // No inline modulepreload polyfill: the CSP allows only scripts from 'self'.
    modulePreload: { polyfill: false },
    // A desktop app loading from disk: one bundle is fine.
    chunkSizeWarningLimit: 1500,
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
