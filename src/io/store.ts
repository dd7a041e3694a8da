/**
 * Where a checkpoint goes: a tfjs IO URL, one tfjs IOHandler, one handler per part, or a custom
 * {@link CheckpointStore}. A checkpoint has three parts, each a tfjs `ModelArtifacts`:
 * `generator` and `discriminator` (standard Layers models) and `checkpoint` (the manifest, plus the
 * optimizers' tensors as its weights). Parts are written in that order, the manifest last, and the
 * manifest records a checksum of each network's weights, so a torn write is detected on load.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../errors.js';
import { bundleStore } from './bundle-store.js';
import {
  CHECKPOINT_PARTS,
  type CheckpointArtifacts,
  type CheckpointPart,
  type CheckpointStore,
  loadPart,
  savePart,
} from './checkpoint-parts.js';
import { checkWeightsManifest, containedURL, urlInside } from './contained-path.js';

export {
  CHECKPOINT_PARTS,
  type CheckpointArtifacts,
  type CheckpointPart,
  type CheckpointStore,
} from './checkpoint-parts.js';

/**
 * One tfjs IOHandler per part, for example three `tf.io.fromMemory(...)` handlers.
 * @category IO
 */
export type CheckpointHandlers = { readonly [K in CheckpointPart]: tf.io.IOHandler };

/**
 * Where a checkpoint is saved or loaded from:
 * - a URL string: `indexeddb://name`, `localstorage://name`, `downloads://name`, `http(s)://...`
 *   (browsers); `file://path` or a plain path on Node after `import 'ts-gan/node'`; any scheme
 *   with a registered tfjs IO router;
 * - one tfjs `IOHandler` (all parts bundled into one `ModelArtifacts`);
 * - a {@link CheckpointHandlers} object (one handler per part);
 * - a {@link CheckpointStore}.
 * @category IO
 */
export type CheckpointLocation = string | tf.io.IOHandler | CheckpointHandlers | CheckpointStore;

/**
 * Claims a URL for a {@link CheckpointStore}, or returns null.
 * @category IO
 */
export type CheckpointStoreRouter = (url: string) => CheckpointStore | null;

// On globalThis, so that an ESM and a CJS copy of the library share one registry.
const ROUTERS_KEY = Symbol.for('ts-gan.checkpointStoreRouters');

function routers(): CheckpointStoreRouter[] {
  const g = globalThis as unknown as Record<symbol, CheckpointStoreRouter[] | undefined>;
  g[ROUTERS_KEY] ??= [];
  return g[ROUTERS_KEY];
}

/**
 * Registers a router that turns URLs into whole-checkpoint stores (`ts-gan/node` registers one
 * for `file://` and plain paths). Registering the same function twice has no effect.
 * @param router - returns a store for the URLs it claims, null for others.
 * @category IO
 */
export function registerCheckpointStoreRouter(router: CheckpointStoreRouter): void {
  const list = routers();
  if (!list.includes(router)) list.push(router);
}

/**
 * Turns a location into a store.
 * @param where - the calling function, for messages.
 * @throws {@link CheckpointError} when nothing can handle the location.
 */
export function resolveCheckpointStore(where: string, location: CheckpointLocation): CheckpointStore {
  if (typeof location === 'string') {
    if (location.length === 0) throw new CheckpointError(`${where}: the checkpoint location is an empty string.`);
    for (const router of routers()) {
      const store = router(location);
      if (store) return store;
    }
    return urlStore(location);
  }
  const o = location as Partial<CheckpointStore & CheckpointHandlers & tf.io.IOHandler> | null;
  if (o !== null && typeof o === 'object') {
    if (typeof o.read === 'function' && typeof o.write === 'function') return o as CheckpointStore;
    if (CHECKPOINT_PARTS.every((p) => o[p] !== null && typeof o[p] === 'object')) {
      return handlersStore(o as CheckpointHandlers, 'the given handlers');
    }
    if (typeof o.save === 'function' || typeof o.load === 'function') return bundleStore(o as tf.io.IOHandler);
  }
  throw new CheckpointError(
    `${where}: a checkpoint location must be a URL string, a tfjs IOHandler, one handler per part ` +
      `({ generator, discriminator, checkpoint }) or a CheckpointStore, got ${location === null ? 'null' : typeof location}.`,
  );
}

/**
 * The URL of one part under a checkpoint URL. `http(s)://host/ckpt` gives
 * `.../ckpt/generator/model.json` and `.../ckpt/checkpoint.json` (the layout of a folder written
 * on Node, served as static files); `downloads://name` gives `name-generator`; any other scheme
 * `scheme://name/generator`.
 * @category IO
 */
export function checkpointPartURL(url: string, part: CheckpointPart): string {
  const base = url.replace(/\/+$/, '');
  if (HTTP_URL.test(base)) return part === 'checkpoint' ? `${base}/checkpoint.json` : `${base}/${part}/model.json`;
  if (/^downloads:\/\//i.test(base)) return `${base}-${part}`;
  return `${base}/${part}`;
}

const HTTP_URL = /^https?:\/\//i;

/** The folder URL of an http(s) checkpoint, with a trailing slash: the prefix of every URL it may fetch. */
function checkpointFolderURL(url: string): string {
  return `${url.replace(/\/+$/, '')}/`;
}

/**
 * tfjs's http handler for one part, kept under the checkpoint's URL. Its fetch refuses any URL
 * outside `root`, and checks the part's JSON as it arrives: every weight path it names must
 * resolve under `root` (same origin, same path prefix), or the load is refused before tfjs
 * fetches any of them. tfjs then fetches the URLs the same rule gives.
 */
function containedHttpHandler(partUrl: string, root: string): tf.io.IOHandler {
  const fetchFunc = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const requested = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!urlInside(requested, root)) {
      throw new CheckpointError(
        `${partUrl} led to a request for ${requested}, outside the checkpoint URL ${root}; it was not sent.`,
      );
    }
    const response = await tf.env().platform.fetch(requested, init);
    return requested === partUrl && response.ok ? checkedJSONResponse(partUrl, root, response) : response;
  };
  return tf.io.http(partUrl, {
    fetchFunc: fetchFunc as typeof fetch,
    weightUrlConverter: async (weightPath: string) => containedURL(partUrl, weightPath, root),
  });
}

/** The response with the part's JSON, after every weight path it names was checked. */
async function checkedJSONResponse(partUrl: string, root: string, response: Response): Promise<Response> {
  const text = await response.text();
  let json: { weightsManifest?: unknown } | null = null;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: tfjs reports it, with its own message.
  }
  if (json !== null && typeof json === 'object') {
    for (const group of checkWeightsManifest(partUrl, json.weightsManifest)) {
      for (const ref of group.paths) containedURL(partUrl, ref, root);
    }
  }
  return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function urlStore(url: string): CheckpointStore {
  const handler = (part: CheckpointPart, kind: 'save' | 'load'): tf.io.IOHandler => {
    const partUrl = checkpointPartURL(url, part);
    if (kind === 'load' && HTTP_URL.test(partUrl)) return containedHttpHandler(partUrl, checkpointFolderURL(url));
    const found = kind === 'save' ? tf.io.getSaveHandlers(partUrl) : tf.io.getLoadHandlers(partUrl);
    if (found.length === 0) {
      const nodeHint = /^file:\/\//i.test(url) ? " On Node, import 'ts-gan/node' first." : '';
      throw new CheckpointError(`No tfjs IO handler can ${kind} "${partUrl}" in this environment.${nodeHint}`);
    }
    if (found.length > 1) {
      throw new CheckpointError(
        `${found.length} tfjs IO handlers claim "${partUrl}"; pass a handler instead of a URL.`,
      );
    }
    return found[0] as tf.io.IOHandler;
  };
  return {
    description: url,
    async write(parts) {
      for (const part of CHECKPOINT_PARTS) await savePart(url, part, handler(part, 'save'), parts[part]);
    },
    async read() {
      const out: Partial<CheckpointArtifacts> = {};
      for (const part of CHECKPOINT_PARTS) out[part] = await loadPart(url, part, handler(part, 'load'));
      return out as CheckpointArtifacts;
    },
  };
}

function handlersStore(handlers: CheckpointHandlers, description: string): CheckpointStore {
  return {
    description,
    async write(parts) {
      for (const part of CHECKPOINT_PARTS) await savePart(description, part, handlers[part], parts[part]);
    },
    async read() {
      const out: Partial<CheckpointArtifacts> = {};
      for (const part of CHECKPOINT_PARTS) out[part] = await loadPart(description, part, handlers[part]);
      return out as CheckpointArtifacts;
    },
  };
}
