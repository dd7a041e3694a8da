/**
 * GAN losses as pure functions of the discriminator's raw outputs (logits). Each returns a scalar
 * mean over the batch. Cross-entropy terms use softplus, which tfjs computes stably for large
 * |x|, instead of log(sigmoid(x)), which underflows.
 *
 * Identities used: -log(sigmoid(x)) = softplus(-x) and -log(1 - sigmoid(x)) = softplus(x).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Discriminator cross-entropy (Goodfellow et al. 2014, "Generative Adversarial Nets"):
 * `mean(t * softplus(-r) + (1 - t) * softplus(r)) + mean(softplus(f))`, with real target `t`
 * (1, or less with one-sided label smoothing).
 *
 * @param real - logits on real data.
 * @param fake - logits on generated data.
 * @param realLabel - the target for real samples, in (0, 1].
 * @returns the scalar loss.
 * @category Losses
 */
export function crossEntropyDiscriminatorLoss(real: tf.Tensor, fake: tf.Tensor, realLabel = 1): tf.Scalar {
  return tf.tidy(() => {
    let realTerm = tf.softplus(tf.neg(real));
    if (realLabel !== 1) {
      // t * softplus(-r) + (1 - t) * softplus(r): cross-entropy against a soft target.
      realTerm = tf.add(tf.mul(realTerm, realLabel), tf.mul(tf.softplus(real), 1 - realLabel));
    }
    return tf.add(tf.mean(realTerm), tf.mean(tf.softplus(fake))) as tf.Scalar;
  });
}

/**
 * Minimax generator loss (Goodfellow et al. 2014): `-mean(softplus(f))`, which is
 * `mean(log(1 - D(G(z))))`. It saturates when the discriminator wins; prefer the non-saturating form.
 *
 * @param fake - logits on generated data.
 * @returns the scalar loss.
 * @category Losses
 */
export function minimaxGeneratorLoss(fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.softplus(fake))) as tf.Scalar);
}

/**
 * Non-saturating generator loss (Goodfellow et al. 2014, section 3): `mean(softplus(-f))`, which is
 * `-mean(log(D(G(z))))`.
 *
 * @param fake - logits on generated data.
 * @returns the scalar loss.
 * @category Losses
 */
export function nonSaturatingGeneratorLoss(fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.softplus(tf.neg(fake))) as tf.Scalar);
}

/**
 * Least-squares discriminator loss (Mao et al. 2017, "Least Squares Generative Adversarial
 * Networks", a-b-c = 0-1-1): `0.5 * mean((r - t)^2) + 0.5 * mean(f^2)` with real target `t`.
 *
 * @param real - raw outputs on real data.
 * @param fake - raw outputs on generated data.
 * @param realLabel - the target for real samples (1, or less with one-sided label smoothing).
 * @returns the scalar loss.
 * @category Losses
 */
export function leastSquaresDiscriminatorLoss(real: tf.Tensor, fake: tf.Tensor, realLabel = 1): tf.Scalar {
  return tf.tidy(
    () => tf.mul(0.5, tf.add(tf.mean(tf.square(tf.sub(real, realLabel))), tf.mean(tf.square(fake)))) as tf.Scalar,
  );
}

/**
 * Least-squares generator loss (Mao et al. 2017): `0.5 * mean((f - 1)^2)`.
 *
 * @param fake - raw outputs on generated data.
 * @returns the scalar loss.
 * @category Losses
 */
export function leastSquaresGeneratorLoss(fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mul(0.5, tf.mean(tf.square(tf.sub(fake, 1)))) as tf.Scalar);
}

/**
 * Wasserstein critic loss (Arjovsky et al. 2017, "Wasserstein GAN"): `mean(f) - mean(r)`.
 * Needs a Lipschitz constraint on the critic (gradient penalty, weight clipping or spectral norm).
 *
 * @param real - critic outputs on real data.
 * @param fake - critic outputs on generated data.
 * @returns the scalar loss.
 * @category Losses
 */
export function wassersteinDiscriminatorLoss(real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sub(tf.mean(fake), tf.mean(real)) as tf.Scalar);
}

/**
 * Wasserstein and hinge generator loss: `-mean(f)`.
 *
 * @param fake - critic outputs on generated data.
 * @returns the scalar loss.
 * @category Losses
 */
export function wassersteinGeneratorLoss(fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(fake)) as tf.Scalar);
}

/**
 * Hinge discriminator loss (Lim and Ye 2017, "Geometric GAN"; Miyato et al. 2018):
 * `mean(relu(1 - r)) + mean(relu(1 + f))`. Never negative.
 *
 * @param real - outputs on real data.
 * @param fake - outputs on generated data.
 * @returns the scalar loss.
 * @category Losses
 */
export function hingeDiscriminatorLoss(real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.add(tf.mean(tf.relu(tf.sub(1, real))), tf.mean(tf.relu(tf.add(1, fake)))) as tf.Scalar);
}
