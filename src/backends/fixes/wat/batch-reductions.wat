;; Sum and Mean over the leading axes of a row-major float32 matrix, for the fix
;; wasm-simd-batch-reductions (wasm-batch-kernels.ts): the input read as $rows rows of $width floats,
;; out[j] = x[0][j] + x[1][j] + ... + x[rows-1][j], added row after row into a float32 accumulator,
;; four columns at a time. These are the additions tfjs-wasm makes after moving the reduced axes to
;; the end, in the same order, so the result has the same bits; the JavaScript loop that this
;; replaces makes them one column at a time.
;;
;; Built by scripts/build-wasm.ts into batch-reductions.bytes.ts; a test checks the bytes against
;; this file.
(module
  (import "env" "memory" (memory 1))

  ;; sumRows(x, rows, width, out, mean): byte addresses of x and out, $width a multiple of 4, $rows
  ;; >= 1; a non-zero $mean divides each sum by $rows (float32 division, correctly rounded).
  (func (export "sumRows") (param $x i32) (param $rows i32) (param $width i32) (param $out i32) (param $mean i32)
    (local $m i32) (local $j i32) (local $rowBytes i32) (local $n v128)
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    ;; the first row is the accumulator's start (0 + x is x, -0 aside: tfjs-wasm starts from 0 too)
    (local.set $j (i32.const 0))
    (loop $zero
      (v128.store align=4 (i32.add (local.get $out) (local.get $j))
        (f32x4.add (v128.const f32x4 0 0 0 0) (v128.load align=4 (i32.add (local.get $x) (local.get $j)))))
      (br_if $zero (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $rowBytes))))
    (local.set $m (i32.const 1))
    (block $done
      (br_if $done (i32.ge_u (local.get $m) (local.get $rows)))
      (loop $row
        (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $j (i32.const 0))
        (loop $col
          (v128.store align=4 (i32.add (local.get $out) (local.get $j))
            (f32x4.add (v128.load align=4 (i32.add (local.get $out) (local.get $j)))
              (v128.load align=4 (i32.add (local.get $x) (local.get $j)))))
          (br_if $col (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $rowBytes))))
        (br_if $row (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1))) (local.get $rows)))))
    (if (local.get $mean)
      (then
        (local.set $n (f32x4.splat (f32.convert_i32_u (local.get $rows))))
        (local.set $j (i32.const 0))
        (loop $divide
          (v128.store align=4 (i32.add (local.get $out) (local.get $j))
            (f32x4.div (v128.load align=4 (i32.add (local.get $out) (local.get $j))) (local.get $n)))
          (br_if $divide (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $rowBytes)))))))
)
