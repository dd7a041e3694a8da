/// <reference types="vite/client" />
import type { BrowserBackend } from './backend';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The backend this browser instance tests (vitest.browser.config.ts `provide`). */
    backend: BrowserBackend;
    /**
     * A trainer checkpoint written on Node (test-browser/support/node-checkpoint.setup.ts): its URL
     * path on the test server, and what Node computed from it.
     */
    nodeCheckpoint: { path: string; steps: number; sampleAtSave: number[]; weightsAfter: number[][] };
    /** The browser-only doc blocks that test-browser/docs/snippets.setup.ts wrote, by place and folder. */
    docSnippets: { where: string; slug: string }[];
    /** How the demo test launches Chromium (the same path and flags as browser mode). */
    chromium: { executablePath: string; args: string[] };
  }
}
