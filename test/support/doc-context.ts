/**
 * The values a doc snippet takes from the text around it ("`gan` is the GAN built above", "`images`
 * are the training digits"). test/library/docs-snippets.test.ts declares each name the snippet uses and does
 * not declare itself from these factories, at small sizes, so that the snippet runs as printed.
 * Module bindings (`tf`, `GAN`, `Trainer` ...) are never supplied: a snippet imports what it uses.
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { GAN, type GANConfig, type NetworkContext, presets, Trainer, type TrainerOptions } from 'ts-gan';
import { useBackend } from 'ts-gan/backends';
import { loadMnist } from 'ts-gan/node';

/** The backend a snippet that continues the text around it finds set up: wasm, as the docs advise. */
export async function backend(): Promise<void> {
  await useBackend('wasm');
}

const SMALL = { generatorUnits: [16], discriminatorUnits: [16] } as const;

/** A small MLP GAN for MNIST-shaped data. */
export const config: GANConfig = { ...presets.mlp(SMALL), latentDim: 100, dataShape: [28, 28, 1], seed: 1 };

/** Trainer options for the snippets: a small batch. */
export const options: TrainerOptions = { batchSize: 8 };

export const buildGenerator = config.buildGenerator;

export function gan(): GAN {
  return new GAN(config);
}

/** A conditional GAN (ten classes), a narrow DCGAN. */
export function cgan(): GAN {
  return new GAN({ ...presets.dcgan({ filters: 8 }), latentDim: 100, dataShape: [28, 28, 1], numClasses: 10 });
}

export function trainer(g: GAN): Trainer {
  return new Trainer(g, options);
}

/** 64 training digits in [-1, 1] and their labels. */
export async function mnist(): Promise<{ images: tf.Tensor4D; labels: Int32Array }> {
  const { images, labels } = await loadMnist({ limit: 64 });
  return { images, labels: Int32Array.from(labels) };
}

/** A feature encoder: any model from images to feature vectors. */
export function encoder(): tfl.LayersModel {
  return tfl.sequential({
    layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 8, activation: 'tanh' })],
  });
}

/** A file the user picked (empty: only browser snippets, which are type-checked, use it). */
export function file(name: string): File {
  return new File([], name);
}

export type { NetworkContext };
