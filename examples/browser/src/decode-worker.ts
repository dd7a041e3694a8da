/**
 * Decodes the person's pictures off the page's thread, with the library's browser loader
 * (`loadImages`: the browser's own decoders, alpha over white, centre-crop, area resize, 1 or 3
 * channels, [-1, 1]) on tfjs's cpu backend, and hands the page a Float32Array. The page keeps the
 * pixels: it draws them, and sends them to whichever training worker (of whichever backend) trains
 * on them, so a change of backend never decodes again.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { loadImages } from 'ts-gan';

/** What the page asks: decode these files at this size and channel count. */
export interface DecodeRequest {
  id: number;
  files: File[];
  size: number;
  channels: 1 | 3;
}

export type DecodeReply =
  | { type: 'progress'; id: number; done: number; total: number }
  | {
      type: 'decoded';
      id: number;
      /** `[n, size, size, channels]` in [-1, 1], n = `files.length`. */
      pixels: Float32Array;
      shape: [number, number, number, number];
      /** The decoded files' names, in order. */
      files: string[];
      /** The files the browser could not decode, and why. */
      skipped: { file: string; reason: string }[];
      /** With 3 channels: whether any picture has colour (some pixel whose channels differ by more than a little). */
      colour: boolean;
    }
  | { type: 'error'; id: number; message: string };

/** Files per call of `loadImages`: between two calls the worker reports its progress. */
const CHUNK = 64;
/**
 * A pixel has colour when its channels differ by more than 8 of 255 levels: JPEG's rounding of
 * grey pictures stays well below that, a tinted photograph is far above it.
 */
const COLOUR_TOLERANCE = 8 / 127.5;

const scope = self as unknown as {
  postMessage(message: DecodeReply, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<DecodeRequest>) => void) | null;
};

const backendReady = tf.setBackend('cpu');

async function decode({ id, files, size, channels }: DecodeRequest): Promise<void> {
  await backendReady;
  const parts: Float32Array[] = [];
  const names: string[] = [];
  const skipped: { file: string; reason: string }[] = [];
  for (let start = 0; start < files.length; start += CHUNK) {
    const chunk = files.slice(start, start + CHUNK);
    try {
      const data = await loadImages(chunk, { size, channels, onBadFile: 'skip' });
      parts.push((await data.images.data()) as Float32Array);
      data.images.dispose();
      names.push(...data.files);
      skipped.push(...data.skipped);
    } catch (err) {
      // Not one picture of this chunk decoded (loadImages says so with a DataError): skip them all.
      const reason = err instanceof Error ? err.message : String(err);
      skipped.push(...chunk.map((f) => ({ file: f.name, reason })));
    }
    scope.postMessage({ type: 'progress', id, done: Math.min(start + CHUNK, files.length), total: files.length });
  }
  const pixels = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    pixels.set(p, offset);
    offset += p.length;
  }
  scope.postMessage(
    {
      type: 'decoded',
      id,
      pixels,
      shape: [names.length, size, size, channels],
      files: names,
      skipped,
      colour: channels === 3 && hasColour(pixels),
    },
    [pixels.buffer],
  );
}

/** Whether some pixel of `[..., 3]` values has channels further apart than COLOUR_TOLERANCE. */
function hasColour(pixels: Float32Array): boolean {
  for (let i = 0; i + 2 < pixels.length; i += 3) {
    const r = pixels[i] as number;
    const g = pixels[i + 1] as number;
    const b = pixels[i + 2] as number;
    if (Math.max(r, g, b) - Math.min(r, g, b) > COLOUR_TOLERANCE) return true;
  }
  return false;
}

scope.onmessage = (event) => {
  decode(event.data).catch((err) =>
    scope.postMessage({ type: 'error', id: event.data.id, message: err instanceof Error ? err.message : String(err) }),
  );
};
