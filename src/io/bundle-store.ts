/**
 * A whole checkpoint in one tfjs `ModelArtifacts`, for a location given as a single IOHandler.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../errors.js';
import { checkWeightSpecs, expectedWeightBytes, joinWeightData } from './artifacts.js';
import {
  CHECKPOINT_PARTS,
  type CheckpointArtifacts,
  type CheckpointStore,
  loadPart,
  savePart,
} from './checkpoint-parts.js';

/** `format` of the single artifacts a bundle is written as. */
export const BUNDLE_FORMAT = 'ts-gan-checkpoint-bundle';

interface BundledPart {
  modelTopology: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  userDefinedMetadata?: tf.io.ModelArtifacts['userDefinedMetadata'];
  weightCount: number;
}

/**
 * All parts in one ModelArtifacts, for a single IOHandler: the parts' topologies under
 * `modelTopology.parts`, their weight specs concatenated (names prefixed with `part/`) and their
 * weight data concatenated in the same order.
 */
export function bundleStore(handler: tf.io.IOHandler): CheckpointStore {
  const description = 'the given IOHandler';
  return {
    description,
    async write(parts) {
      const topology: { format: string; parts: Record<string, BundledPart> } = { format: BUNDLE_FORMAT, parts: {} };
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const part of CHECKPOINT_PARTS) {
        const a = parts[part];
        const partSpecs = a.weightSpecs ?? [];
        topology.parts[part] = {
          modelTopology: a.modelTopology,
          format: a.format,
          generatedBy: a.generatedBy,
          convertedBy: a.convertedBy,
          userDefinedMetadata: a.userDefinedMetadata,
          weightCount: partSpecs.length,
        };
        specs.push(...partSpecs.map((s) => ({ ...s, name: `${part}/${s.name}` })));
        buffers.push(joinWeightData(a.weightData));
      }
      await savePart(description, 'checkpoint', handler, {
        modelTopology: topology,
        format: BUNDLE_FORMAT,
        weightSpecs: specs,
        weightData: tf.io.concatenateArrayBuffers(buffers),
      });
    },
    async read() {
      const bundle = await loadPart(description, 'checkpoint', handler);
      const topology = bundle.modelTopology as { format?: string; parts?: Record<string, BundledPart> } | undefined;
      if (!topology || topology.format !== BUNDLE_FORMAT || typeof topology.parts !== 'object') {
        throw new CheckpointError(
          `Checkpoint ${description}: not a ts-gan checkpoint bundle (modelTopology.format is ` +
            `${JSON.stringify(topology?.format)}, expected "${BUNDLE_FORMAT}").`,
        );
      }
      const data = joinWeightData(bundle.weightData);
      const specs = bundle.weightSpecs ?? [];
      const out: Partial<CheckpointArtifacts> = {};
      let specIndex = 0;
      let offset = 0;
      for (const part of CHECKPOINT_PARTS) {
        const p = topology.parts[part];
        if (!p) throw new CheckpointError(`Checkpoint ${description}: the bundle has no ${part}.`);
        const partSpecs = checkWeightSpecs(
          `Checkpoint ${description}, ${part}`,
          specs.slice(specIndex, specIndex + p.weightCount),
        );
        specIndex += p.weightCount;
        const bytes = expectedWeightBytes(partSpecs);
        if (bytes === undefined || partSpecs.length !== p.weightCount || offset + bytes > data.byteLength) {
          throw new CheckpointError(`Checkpoint ${description}: the bundle's weights are truncated at the ${part}.`);
        }
        out[part] = {
          modelTopology: p.modelTopology as object,
          format: p.format,
          generatedBy: p.generatedBy,
          convertedBy: p.convertedBy,
          userDefinedMetadata: p.userDefinedMetadata,
          weightSpecs: partSpecs.map((s) => ({ ...s, name: s.name.slice(part.length + 1) })),
          weightData: data.slice(offset, offset + bytes),
        };
        offset += bytes;
      }
      return out as CheckpointArtifacts;
    },
  };
}
