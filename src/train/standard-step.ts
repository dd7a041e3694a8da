/**
 * The built-in training step: `discriminatorSteps` discriminator updates, each on its own real
 * batch, then one generator update (none during warm-up). It is a {@link StepFunction} like any
 * custom step, and the trainer's default `step`.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StepContext, StepFunction, StepTensors } from './custom-step.js';
import { type DiscriminatorUpdateResult, discriminatorUpdate, generatorUpdate } from './updates.js';

/**
 * The step the trainer runs unless the `step` option replaces it. It logs `dLoss`, `gLoss`,
 * `dReal`, `dFake` (from the last discriminator update), `dAuxLoss` for ACGAN and InfoGAN, and
 * each penalty under its name; during warm-up `gLoss` is the generator's loss on the last update's fakes.
 *
 * @param ctx - the step's context.
 * @returns the step's losses.
 * @category Training
 */
export const standardStep: StepFunction = (ctx: StepContext): StepTensors => {
  const training = ctx.frozenNetworkMode === 'training';
  let d: DiscriminatorUpdateResult | undefined;
  ctx.reals.forEach((real, k) => {
    const last = k === ctx.reals.length - 1;
    d = discriminatorUpdate(ctx.gan, ctx.discriminatorOptimizer, real, ctx.rng, {
      realLabel: ctx.realLabel,
      withStats: ctx.logged && last,
      withGeneratorLoss: ctx.logged && last && ctx.warmup,
      varList: ctx.discriminatorVariables,
      penalties: ctx.penalties,
      inputTransforms: ctx.inputTransforms,
      labels: ctx.labelBatches[k],
      ...(training && { generatorTraining: true }),
    });
    ctx.afterDiscriminatorUpdate();
  });
  const dis = d as DiscriminatorUpdateResult;
  let gLoss: tf.Scalar | undefined;
  if (!ctx.warmup) {
    gLoss = generatorUpdate(ctx.gan, ctx.generatorOptimizer, ctx.batchSize, ctx.rng, {
      real: ctx.real,
      varList: ctx.generatorVariables,
      inputTransforms: ctx.inputTransforms,
      labels: ctx.labels,
      ...(training && { discriminatorTraining: true }),
    });
    ctx.afterGeneratorUpdate();
  }
  return {
    dLoss: dis.loss,
    // Unlogged warm-up steps compute no generator loss.
    gLoss: gLoss ?? dis.generatorLoss ?? tf.scalar(Number.NaN),
    dReal: dis.dReal,
    dFake: dis.dFake,
    ...(dis.auxLoss && { dAuxLoss: dis.auxLoss }),
    ...dis.penalties,
  };
};
