/// <reference types="vite/client" />
import type { BrowserBackend } from './backend';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The backend this browser instance tests (vitest.browser.config.ts `provide`). */
    backend: BrowserBackend;
    /** How the demo test launches Chromium (the same path and flags as browser mode). */
    chromium: { executablePath: string; args: string[] };
  }
}
