;; The fused Adam update (wasm-simd-adam.ts, for the fused-adam fix), four floats at a time, on
;; tfjs-wasm's heap: it reads x, m, v and g once and writes x', m' and v' once, where tfjs's op
;; sequence runs about a dozen kernels over them.
;;
;; Memory: seven float32 arrays of the same length, each given by its byte address in the imported
;; memory (tfjs-wasm's heap; each array is 4-byte aligned, so the loads and stores say align=4).
;; The inputs x, m, v, g are only read; the outputs x', m', v' are other arrays.
;;
;; Per element, in float32, in tf.train.adam's order of operations (AdamUpdateAttrs):
;;   m' = m*beta1 + g*(1-beta1)
;;   v' = v*beta2 + (g*g)*(1-beta2)
;;   x' = ((m'/(1-beta1^t)) / (sqrt(v'/(1-beta2^t)) + epsilon)) * -lr + x
;; f32x4.add, mul, div and sqrt are IEEE operations rounded to float32, lane by lane, so each lane
;; gives the same bits as the op sequence (no fused multiply-add here: that would round once where
;; tfjs rounds twice).
;;
;; Scalar tail: $bytes covers whole groups of four floats (a multiple of 16); the caller
;; (fused-adam.ts) updates the last n % 4 elements in JavaScript with the same formula.
;;
;; Built by scripts/build-wasm.ts into adam.bytes.ts, and with a shared memory import (tfjs-wasm's
;; threaded build) into its SHARED_BASE64; a test checks the bytes against this file.
;; build-wasm: shared-memory variant
(module
  (import "env" "memory" (memory 1))

  ;; adam(x, m, v, g, xOut, mOut, vOut, bytes, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
  ;;      oneMinusAccBeta1, oneMinusAccBeta2, epsilon, negLearningRate)
  (func (export "adam")
    (param $x i32) (param $m i32) (param $v i32) (param $g i32)
    (param $xOut i32) (param $mOut i32) (param $vOut i32) (param $bytes i32)
    (param $beta1 f32) (param $oneMinusBeta1 f32) (param $beta2 f32) (param $oneMinusBeta2 f32)
    (param $oneMinusAccBeta1 f32) (param $oneMinusAccBeta2 f32) (param $epsilon f32) (param $negLearningRate f32)
    ;; $off: byte offset of the current group of four in every array
    (local $off i32)
    ;; the eight constants, each splatted to four lanes once
    (local $b1 v128) (local $c1 v128) (local $b2 v128) (local $c2 v128)
    (local $oa1 v128) (local $oa2 v128) (local $eps v128) (local $nlr v128)
    ;; this group's g, m' and v'
    (local $gi v128) (local $mi v128) (local $vi v128)
    (local.set $b1 (f32x4.splat (local.get $beta1)))
    (local.set $c1 (f32x4.splat (local.get $oneMinusBeta1)))
    (local.set $b2 (f32x4.splat (local.get $beta2)))
    (local.set $c2 (f32x4.splat (local.get $oneMinusBeta2)))
    (local.set $oa1 (f32x4.splat (local.get $oneMinusAccBeta1)))
    (local.set $oa2 (f32x4.splat (local.get $oneMinusAccBeta2)))
    (local.set $eps (f32x4.splat (local.get $epsilon)))
    (local.set $nlr (f32x4.splat (local.get $negLearningRate)))
    (block $done
      (loop $groups
        ;; the test comes first, so $bytes = 0 does nothing
        (br_if $done (i32.ge_u (local.get $off) (local.get $bytes)))
        (local.set $gi (v128.load align=4 (i32.add (local.get $g) (local.get $off))))
        ;; m' = m*beta1 + g*(1-beta1)
        (local.set $mi
          (f32x4.add
            (f32x4.mul (v128.load align=4 (i32.add (local.get $m) (local.get $off))) (local.get $b1))
            (f32x4.mul (local.get $gi) (local.get $c1))))
        ;; v' = v*beta2 + (g*g)*(1-beta2)
        (local.set $vi
          (f32x4.add
            (f32x4.mul (v128.load align=4 (i32.add (local.get $v) (local.get $off))) (local.get $b2))
            (f32x4.mul (f32x4.mul (local.get $gi) (local.get $gi)) (local.get $c2))))
        (v128.store align=4 (i32.add (local.get $mOut) (local.get $off)) (local.get $mi))
        (v128.store align=4 (i32.add (local.get $vOut) (local.get $off)) (local.get $vi))
        ;; x' = ((m'/(1-beta1^t)) / (sqrt(v'/(1-beta2^t)) + epsilon)) * -lr + x
        (v128.store align=4 (i32.add (local.get $xOut) (local.get $off))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $mi) (local.get $oa1))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vi) (local.get $oa2))) (local.get $eps)))
              (local.get $nlr))
            (v128.load align=4 (i32.add (local.get $x) (local.get $off)))))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $groups))))
)
