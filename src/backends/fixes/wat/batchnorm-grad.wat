;; BatchNorm's gradient in one pass (fused-batchnorm-gradient.ts), four channels at a time, on
;; tfjs-wasm's heap.
;;
;; Memory: float32 arrays given by their byte addresses in the imported memory (tfjs-wasm's heap;
;; each is 4-byte aligned, so the loads and stores say align=4). x, dy and dx are `rows` rows of
;; `c` channels (c a multiple of 4: the caller runs other widths in JavaScript); mean, scale, r
;; (1/sqrt(variance + eps)), h (-0.5 r^3) and the four sums hold c floats. dx is another array than
;; the inputs.
;;
;; Per element, the float32 operations of the chain of tfjs kernels it replaces, in its order:
;;   centred = x - mean;  dyScaled = dy * scale;  dx = (dy * r) * scale
;;   dMean     += (r * -1) * dyScaled
;;   dVariance += (h * centred) * dyScaled
;;   dScale    += dy * (centred * r)
;;   dOffset   += dy
;; each sum starting from 0 and adding the rows in order in float32, as tfjs-wasm's Sum (and the
;; library's batch reductions) do: the same bits. The pass walks the memory in order, row by row,
;; and keeps the four running sums in their output arrays (c floats each, which stay in cache).
;;
;; Built by scripts/build-wasm.ts into batchnorm-grad.bytes.ts, and with a shared memory import
;; (tfjs-wasm's threaded build) into its SHARED_BASE64; a test checks the bytes against this file.
;; build-wasm: shared-memory variant
(module
  (import "env" "memory" (memory 1))

  (func (export "gradient")
    (param $x i32) (param $dy i32) (param $mean i32) (param $scale i32) (param $r i32) (param $h i32)
    (param $dx i32) (param $dMean i32) (param $dVariance i32) (param $dScale i32) (param $dOffset i32)
    (param $rows i32) (param $c i32)
    ;; $col: byte offset of the current group of four channels in a row; $at: byte offset of the
    ;; current element in x, dy and dx; $stride: bytes per row
    (local $col i32) (local $at i32) (local $i i32) (local $stride i32)
    (local $s v128) (local $rr v128) (local $d v128) (local $centred v128) (local $dyScaled v128)
    (local.set $stride (i32.shl (local.get $c) (i32.const 2)))
    ;; the four sums start from 0
    (memory.fill (local.get $dMean) (i32.const 0) (local.get $stride))
    (memory.fill (local.get $dVariance) (i32.const 0) (local.get $stride))
    (memory.fill (local.get $dScale) (i32.const 0) (local.get $stride))
    (memory.fill (local.get $dOffset) (i32.const 0) (local.get $stride))
    (block $doneRows
      (loop $rowsLoop
        (br_if $doneRows (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $col (i32.const 0))
        (block $doneColumns
          (loop $columns
            (br_if $doneColumns (i32.ge_u (local.get $col) (local.get $stride)))
            (local.set $s (v128.load align=4 (i32.add (local.get $scale) (local.get $col))))
            (local.set $rr (v128.load align=4 (i32.add (local.get $r) (local.get $col))))
            (local.set $d (v128.load align=4 (i32.add (local.get $dy) (local.get $at))))
            (local.set $centred
              (f32x4.sub (v128.load align=4 (i32.add (local.get $x) (local.get $at)))
                (v128.load align=4 (i32.add (local.get $mean) (local.get $col)))))
            (local.set $dyScaled (f32x4.mul (local.get $d) (local.get $s)))
            (v128.store align=4 (i32.add (local.get $dx) (local.get $at))
              (f32x4.mul (f32x4.mul (local.get $d) (local.get $rr)) (local.get $s)))
            ;; dMean += (r * -1) * dyScaled
            (v128.store align=4 (i32.add (local.get $dMean) (local.get $col))
              (f32x4.add (v128.load align=4 (i32.add (local.get $dMean) (local.get $col)))
                (f32x4.mul (f32x4.mul (local.get $rr) (f32x4.splat (f32.const -1))) (local.get $dyScaled))))
            ;; dVariance += (h * centred) * dyScaled
            (v128.store align=4 (i32.add (local.get $dVariance) (local.get $col))
              (f32x4.add (v128.load align=4 (i32.add (local.get $dVariance) (local.get $col)))
                (f32x4.mul
                  (f32x4.mul (v128.load align=4 (i32.add (local.get $h) (local.get $col))) (local.get $centred))
                  (local.get $dyScaled))))
            ;; dScale += dy * (centred * r)
            (v128.store align=4 (i32.add (local.get $dScale) (local.get $col))
              (f32x4.add (v128.load align=4 (i32.add (local.get $dScale) (local.get $col)))
                (f32x4.mul (local.get $d) (f32x4.mul (local.get $centred) (local.get $rr)))))
            ;; dOffset += dy
            (v128.store align=4 (i32.add (local.get $dOffset) (local.get $col))
              (f32x4.add (v128.load align=4 (i32.add (local.get $dOffset) (local.get $col))) (local.get $d)))
            (local.set $col (i32.add (local.get $col) (i32.const 16)))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (br $columns)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rowsLoop))))
)
