/**
 * The two recipes the page offers: the fast recipe (`presets.fast()`, a small DCGAN conditioned on
 * the digit) and the seed's MLP GAN (`presets.mlp()` with the Trainer's defaults). Imported by the
 * worker only: the page knows recipes by name (protocol.ts).
 */
import { type GANConfig, presets, type Recipe, type TrainerOptions } from 'ts-gan';
import type { RecipeChoice } from './protocol';

/** The seed's MLP GAN: noise of 100, batch 32, Adam(2e-4, 0.5) (the Trainer's defaults), 30,000 steps. */
const MLP_STEPS = 30_000;
const LATENT_DIM = 100;
const BATCH_SIZE = 32;

/** What the worker builds a run from. */
export interface DemoRecipe {
  gan: Omit<GANConfig, 'dataShape' | 'seed'> & { latentDim: number };
  trainer: TrainerOptions;
  /** Steps the recipe is made for: the default target. */
  steps: number;
}

/**
 * The recipe of `choice` on the digits; on the person's own pictures (`own` given) always the fast
 * recipe unconditioned (they have no labels), with DiffAugment's default policy (colour,
 * translation, cutout: the paper's choice for small sets) when `own.augment` is set.
 */
export function recipeFor(choice: RecipeChoice, own?: { augment: boolean }): DemoRecipe {
  if (own) {
    const fast = presets.fast({ numClasses: 0 });
    const trainer: TrainerOptions = own.augment ? { ...fast.trainer, augment: {} } : fast.trainer;
    return { gan: fast.gan, trainer, steps: fast.steps };
  }
  if (choice === 'fast') {
    const fast: Recipe = presets.fast();
    return { gan: fast.gan, trainer: fast.trainer, steps: fast.steps };
  }
  return { gan: { ...presets.mlp(), latentDim: LATENT_DIM }, trainer: { batchSize: BATCH_SIZE }, steps: MLP_STEPS };
}

/** Which recipe a loaded checkpoint is: the page's two differ in conditioning (the fast one is conditional). */
export function recipeOf(gan: { conditioning: unknown }): RecipeChoice {
  return gan.conditioning ? 'fast' : 'mlp';
}
