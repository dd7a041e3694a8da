/// <reference types="vite/client" />
import type { BrowserBackend } from './backend';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The backend this browser instance tests (vitest.browser.config.ts `provide`). */
    backend: BrowserBackend;
  }
}
