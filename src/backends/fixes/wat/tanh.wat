;; tanh (wasm-simd-tanh.ts), four floats at a time, on tfjs-wasm's heap.
;;
;; Memory: two float32 arrays of the same length, x and y, given by their byte addresses in the
;; imported memory (tfjs-wasm's heap; 4-byte aligned, so the loads and stores say align=4).
;;
;; The function is the 13/6-degree rational interpolant of Eigen's float tanh
;; (generic_fast_tanh_float): x clamped to [-9, 9], where float32 tanh is already +/-1, then
;;   tanh(x) ~ x * P(x^2) / Q(x^2),
;;   P(s) = a1 + s*(a3 + s*(a5 + s*(a7 + s*(a9 + s*(a11 + s*a13))))),
;;   Q(s) = b0 + s*(b2 + s*(b4 + s*b6)),
;; each step one float32 multiply and one add (no fused multiply-add, so every engine gives the same
;; bits), and |x| < 0.0004 returned as it is (tanh(x) = x to float32 there; -0 stays -0). Within a
;; few float32 ulps of the exact tanh (the test measures it); NaN stays NaN (min and max propagate
;; it), +/-Infinity gives +/-1.
;;
;; Scalar tail: $bytes covers whole groups of four floats (a multiple of 16); the caller computes the
;; last n % 4 elements in JavaScript with the same float32 steps.
;;
;; Built by scripts/build-wasm.ts into tanh.bytes.ts, and with a shared memory import (tfjs-wasm's
;; threaded build) into its SHARED_BASE64; a test checks the bytes against this file.
;; build-wasm: shared-memory variant
(module
  (import "env" "memory" (memory 1))

  (func (export "tanh") (param $x i32) (param $y i32) (param $bytes i32)
    (local $off i32) (local $xi v128) (local $c v128) (local $s v128) (local $p v128) (local $q v128)
    (block $done
      (loop $groups
        (br_if $done (i32.ge_u (local.get $off) (local.get $bytes)))
        (local.set $xi (v128.load align=4 (i32.add (local.get $x) (local.get $off))))
        ;; c = clamp(x, -9, 9); s = c * c
        (local.set $c
          (f32x4.max (f32x4.min (local.get $xi) (v128.const f32x4 9 9 9 9)) (v128.const f32x4 -9 -9 -9 -9)))
        (local.set $s (f32x4.mul (local.get $c) (local.get $c)))
        ;; p = c * P(s), Horner from a13 down
        (local.set $p
          (f32x4.add (f32x4.mul (local.get $s) (v128.const f32x4 -2.76076847742355e-16 -2.76076847742355e-16 -2.76076847742355e-16 -2.76076847742355e-16))
            (v128.const f32x4 2.00018790482477e-13 2.00018790482477e-13 2.00018790482477e-13 2.00018790482477e-13)))
        (local.set $p
          (f32x4.add (f32x4.mul (local.get $s) (local.get $p))
            (v128.const f32x4 -8.60467152213735e-11 -8.60467152213735e-11 -8.60467152213735e-11 -8.60467152213735e-11)))
        (local.set $p
          (f32x4.add (f32x4.mul (local.get $s) (local.get $p))
            (v128.const f32x4 5.12229709037114e-08 5.12229709037114e-08 5.12229709037114e-08 5.12229709037114e-08)))
        (local.set $p
          (f32x4.add (f32x4.mul (local.get $s) (local.get $p))
            (v128.const f32x4 1.48572235717979e-05 1.48572235717979e-05 1.48572235717979e-05 1.48572235717979e-05)))
        (local.set $p
          (f32x4.add (f32x4.mul (local.get $s) (local.get $p))
            (v128.const f32x4 6.37261928875436e-04 6.37261928875436e-04 6.37261928875436e-04 6.37261928875436e-04)))
        (local.set $p
          (f32x4.add (f32x4.mul (local.get $s) (local.get $p))
            (v128.const f32x4 4.89352455891786e-03 4.89352455891786e-03 4.89352455891786e-03 4.89352455891786e-03)))
        (local.set $p (f32x4.mul (local.get $c) (local.get $p)))
        ;; q = Q(s), Horner from b6 down
        (local.set $q
          (f32x4.add (f32x4.mul (local.get $s) (v128.const f32x4 1.19825839466702e-06 1.19825839466702e-06 1.19825839466702e-06 1.19825839466702e-06))
            (v128.const f32x4 1.18534705686654e-04 1.18534705686654e-04 1.18534705686654e-04 1.18534705686654e-04)))
        (local.set $q
          (f32x4.add (f32x4.mul (local.get $s) (local.get $q))
            (v128.const f32x4 2.26843463243900e-03 2.26843463243900e-03 2.26843463243900e-03 2.26843463243900e-03)))
        (local.set $q
          (f32x4.add (f32x4.mul (local.get $s) (local.get $q))
            (v128.const f32x4 4.89352518554385e-03 4.89352518554385e-03 4.89352518554385e-03 4.89352518554385e-03)))
        ;; y = |x| < 0.0004 ? x : p / q
        (v128.store align=4 (i32.add (local.get $y) (local.get $off))
          (v128.bitselect
            (local.get $xi)
            (f32x4.div (local.get $p) (local.get $q))
            (f32x4.lt (f32x4.abs (local.get $xi)) (v128.const f32x4 0.0004 0.0004 0.0004 0.0004))))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $groups))))
)
