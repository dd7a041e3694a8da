;; FusedBatchNorm over the last axis (wasm-simd-batch-norm.ts), four channels at a time, on
;; tfjs-wasm's heap.
;;
;; Memory: x and y, $rows rows of $c floats (a multiple of 4); mean, variance, scale and offset, $c
;; floats each; all given by their byte addresses in the imported memory (tfjs-wasm's heap; 4-byte
;; aligned, so the loads and stores say align=4). y must not overlap x or the per-channel vectors.
;;
;; The arithmetic is that of tfjs-wasm 4.22's compiled FusedBatchNorm, operation for operation:
;;   nf[j] = sqrt(variance[j] + eps)                       in float32, then widened to float64
;;   p = (x[i][j] - mean[j]) * scale[j]                     in float32
;;   y[i][j] = float32(float64(p) / nf[j] + float64(offset[j]))   in float64, rounded once
;; (its C source keeps the factors in a double array, so the division and the addition happen in
;; double precision). Every step is correctly rounded in IEEE arithmetic and in WebAssembly, so each
;; element has the same bits as tfjs-wasm's scalar loop. Four channels go through float32 lanes,
;; then two float64 pairs.
;;
;; nf is kept, in float32 (widening it is exact), in the first row of y: the rows are written from the last to the first, and in the
;; first row each group of four reads its nf before it overwrites it.
;;
;; Built by scripts/build-wasm.ts into batch-norm.bytes.ts, and with a shared memory import (tfjs-wasm's
;; threaded build) into its SHARED_BASE64; a test checks the bytes against this file.
;; build-wasm: shared-memory variant
(module
  (import "env" "memory" (memory 1))

  ;; batchNorm(x, rows, c, mean, variance, scale, offset, eps, y): byte addresses, $rows >= 1 and $c
  ;; a positive multiple of 4 (counts of floats), eps the float32 variance epsilon.
  (func (export "batchNorm")
    (param $x i32) (param $rows i32) (param $c i32) (param $mean i32) (param $variance i32)
    (param $scale i32) (param $offset i32) (param $eps f32) (param $y i32)
    (local $rowBytes i32) (local $i i32) (local $j i32) (local $xr i32) (local $yr i32) (local $e v128)
    (local $p v128) (local $nf v128) (local $o v128) (local $lo v128) (local $hi v128)
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $e (f32x4.splat (local.get $eps)))
    ;; nf = sqrt(variance + eps), into y's first row
    (local.set $j (i32.const 0))
    (loop $nf
      (v128.store align=4 (i32.add (local.get $y) (local.get $j))
        (f32x4.sqrt (f32x4.add (v128.load align=4 (i32.add (local.get $variance) (local.get $j))) (local.get $e))))
      (br_if $nf (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $rowBytes))))
    ;; rows from the last to the first ($i counts the rows left)
    (local.set $i (local.get $rows))
    (local.set $xr (i32.add (local.get $x) (i32.mul (i32.sub (local.get $rows) (i32.const 1)) (local.get $rowBytes))))
    (local.set $yr (i32.add (local.get $y) (i32.mul (i32.sub (local.get $rows) (i32.const 1)) (local.get $rowBytes))))
    (loop $row
      (local.set $j (i32.const 0))
      (loop $col
        (local.set $p
          (f32x4.mul
            (f32x4.sub
              (v128.load align=4 (i32.add (local.get $xr) (local.get $j)))
              (v128.load align=4 (i32.add (local.get $mean) (local.get $j))))
            (v128.load align=4 (i32.add (local.get $scale) (local.get $j)))))
        (local.set $nf (v128.load align=4 (i32.add (local.get $y) (local.get $j))))
        (local.set $o (v128.load align=4 (i32.add (local.get $offset) (local.get $j))))
        ;; lanes 0 and 1, then lanes 2 and 3 (moved down by a shuffle), in float64
        (local.set $lo
          (f32x4.demote_f64x2_zero
            (f64x2.add
              (f64x2.div (f64x2.promote_low_f32x4 (local.get $p)) (f64x2.promote_low_f32x4 (local.get $nf)))
              (f64x2.promote_low_f32x4 (local.get $o)))))
        (local.set $hi
          (f32x4.demote_f64x2_zero
            (f64x2.add
              (f64x2.div
                (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p) (local.get $p)))
                (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $nf) (local.get $nf))))
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $o) (local.get $o))))))
        (v128.store align=4 (i32.add (local.get $yr) (local.get $j))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)))
        (br_if $col (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $rowBytes))))
      (local.set $xr (i32.sub (local.get $xr) (local.get $rowBytes)))
      (local.set $yr (i32.sub (local.get $yr) (local.get $rowBytes)))
      (br_if $row (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
  )
)
