/**
 * A whole trainer checkpoint as one downloadable file. `trainer.save` given a single tfjs IOHandler
 * bundles every part (both networks, optimizer state, manifest) into one ModelArtifacts; this file
 * holds that bundle: the 8-byte magic `TSGANCK1`, the JSON length (uint32, little-endian), the JSON
 * of everything but the weights, then the weight bytes.
 */
import * as tf from '@tensorflow/tfjs-core';

const MAGIC = 'TSGANCK1';
const HEADER_BYTES = MAGIC.length + 4;

/** The whole checkpoint of `trainer` as one file's bytes. */
export async function saveToFile(trainer: { save(handler: tf.io.IOHandler): Promise<unknown> }): Promise<ArrayBuffer> {
  let file: ArrayBuffer | undefined;
  await trainer.save(
    tf.io.withSaveHandler(async (artifacts) => {
      file = encodeCheckpointFile(artifacts);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!file) throw new Error('the checkpoint produced no data');
  return file;
}

export function encodeCheckpointFile(artifacts: tf.io.ModelArtifacts): ArrayBuffer {
  const { weightData, ...rest } = artifacts;
  const weights =
    weightData === undefined
      ? new ArrayBuffer(0)
      : Array.isArray(weightData)
        ? tf.io.concatenateArrayBuffers(weightData)
        : weightData;
  const json = new TextEncoder().encode(JSON.stringify(rest));
  const out = new Uint8Array(HEADER_BYTES + json.byteLength + weights.byteLength);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.byteLength, true);
  out.set(json, HEADER_BYTES);
  out.set(new Uint8Array(weights), HEADER_BYTES + json.byteLength);
  return out.buffer;
}

export function decodeCheckpointFile(file: ArrayBuffer): tf.io.ModelArtifacts {
  const bytes = new Uint8Array(file);
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (bytes.byteLength < HEADER_BYTES || magic !== MAGIC) {
    throw new Error('this is not a checkpoint file saved by the demo (it does not start with TSGANCK1)');
  }
  const jsonBytes = new DataView(file).getUint32(MAGIC.length, true);
  if (HEADER_BYTES + jsonBytes > bytes.byteLength) throw new Error('the checkpoint file is truncated');
  const rest = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + jsonBytes)));
  return { ...rest, weightData: file.slice(HEADER_BYTES + jsonBytes) };
}
