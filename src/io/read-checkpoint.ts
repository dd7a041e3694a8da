/**
 * The first step of every load: read a checkpoint's parts, parse its manifest and verify the
 * checksums, before anything is built.
 *
 * @packageDocumentation
 */
import { CheckpointError } from '../errors.js';
import { messageOf } from './artifacts.js';
import { type CheckpointManifest, parseManifest, verifyNetworks } from './manifest.js';
import { type CheckpointArtifacts, type CheckpointLocation, resolveCheckpointStore } from './store.js';

/** A checkpoint read and checked: its parts and its manifest. */
export interface ReadCheckpoint {
  where: string;
  parts: CheckpointArtifacts;
  manifest: CheckpointManifest;
}

/**
 * Reads every part, parses the manifest and verifies the checksums. Allocates no tensors.
 * @param where - the calling function, for messages.
 */
export async function readCheckpoint(where: string, location: CheckpointLocation): Promise<ReadCheckpoint> {
  const store = resolveCheckpointStore(where, location);
  const label = `${where}: checkpoint ${store.description}`;
  let parts: CheckpointArtifacts;
  try {
    parts = await store.read();
  } catch (err) {
    if (err instanceof CheckpointError) throw new CheckpointError(`${where}: ${err.message}`, { cause: err });
    throw new CheckpointError(`${label} could not be read: ${messageOf(err)}`, { cause: err });
  }
  const manifest = parseManifest(label, parts.checkpoint);
  verifyNetworks(label, manifest, parts);
  return { where: label, parts, manifest };
}
