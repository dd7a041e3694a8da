/**
 * What a checkpoint is made of: three parts, each a tfjs `ModelArtifacts`, and the medium that
 * stores them; and one part saved or loaded through a tfjs IOHandler, with errors that name it.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../errors.js';
import { messageOf } from './artifacts.js';

/**
 * The parts of a checkpoint, in the order they are written (the manifest last).
 * @category IO
 */
export const CHECKPOINT_PARTS = ['generator', 'discriminator', 'checkpoint'] as const;

/**
 * Name of one part of a checkpoint.
 * @category IO
 */
export type CheckpointPart = (typeof CHECKPOINT_PARTS)[number];

/**
 * All parts of a checkpoint.
 * @category IO
 */
export type CheckpointArtifacts = Record<CheckpointPart, tf.io.ModelArtifacts>;

/**
 * A medium that stores whole checkpoints. Implement it for storage that can do better than part
 * by part (the Node file store writes a folder atomically).
 * @category IO
 */
export interface CheckpointStore {
  /** Describes where, for messages: a URL or a path. */
  readonly description: string;
  /** Writes every part; where the medium allows, all or nothing. */
  write(parts: CheckpointArtifacts): Promise<void>;
  /** Reads every part. */
  read(): Promise<CheckpointArtifacts>;
}

/** Saves one part through its handler. @throws {@link CheckpointError} naming the part. */
export async function savePart(
  where: string,
  part: CheckpointPart,
  handler: tf.io.IOHandler,
  artifacts: tf.io.ModelArtifacts,
) {
  if (typeof handler.save !== 'function')
    throw new CheckpointError(`Checkpoint ${where}: the ${part} handler cannot save.`);
  let result: tf.io.SaveResult;
  try {
    result = await handler.save(artifacts);
  } catch (err) {
    throw new CheckpointError(`Checkpoint ${where}: saving the ${part} failed: ${messageOf(err)}`, { cause: err });
  }
  if (result?.errors && result.errors.length > 0) {
    throw new CheckpointError(
      `Checkpoint ${where}: saving the ${part} failed: ${result.errors.map(String).join('; ')}`,
    );
  }
}

/** Loads one part through its handler. @throws {@link CheckpointError} naming the part. */
export async function loadPart(
  where: string,
  part: CheckpointPart,
  handler: tf.io.IOHandler,
): Promise<tf.io.ModelArtifacts> {
  if (typeof handler.load !== 'function')
    throw new CheckpointError(`Checkpoint ${where}: the ${part} handler cannot load.`);
  try {
    return await handler.load();
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError(`Checkpoint ${where}: reading the ${part} failed: ${messageOf(err)}`, { cause: err });
  }
}
