;; LeakyReLU and its gradient (wasm-simd-leaky-relu.ts), four floats at a time, on tfjs-wasm's heap.
;;
;; Memory: float32 arrays of the same length, each given by its byte address in the imported memory
;; (tfjs-wasm's heap; each array is 4-byte aligned, so the loads and stores say align=4). The
;; output is another array than the inputs.
;;
;; Both functions are tfjs's formulas with one float32 multiply per element, so the same bits:
;;   forward:  y  = x < 0 ? alpha*x : x
;;   gradient: dx = x > 0 ? dy : dy*alpha
;; Each lane computes both sides and picks one with v128.bitselect, whose mask (f32x4.lt / gt
;; against zero) is all ones in a lane where the comparison holds. NaN compares false, so a NaN x
;; gives x forward and dy*alpha backward, as in tfjs; -0 < 0 is false, so -0 stays -0.
;;
;; Scalar tail: $bytes covers whole groups of four floats (a multiple of 16); the caller updates the
;; last n % 4 elements in JavaScript with the same formulas.
;;
;; Built by scripts/build-wasm.ts into leaky-relu.bytes.ts, and with a shared memory import
;; (tfjs-wasm's threaded build) into its SHARED_BASE64; a test checks the bytes against this file.
;; build-wasm: shared-memory variant
(module
  (import "env" "memory" (memory 1))

  ;; forward(x, unused, y, bytes, alpha): the second address is not read (one signature for both).
  (func (export "forward")
    (param $x i32) (param $unused i32) (param $y i32) (param $bytes i32) (param $alpha f32)
    ;; $off: byte offset of the current group of four; $a, $zero: alpha and 0 in four lanes
    (local $off i32) (local $a v128) (local $zero v128) (local $xi v128)
    (local.set $a (f32x4.splat (local.get $alpha)))
    (local.set $zero (f32x4.splat (f32.const 0)))
    (block $done
      (loop $groups
        ;; the test comes first, so $bytes = 0 does nothing
        (br_if $done (i32.ge_u (local.get $off) (local.get $bytes)))
        ;; y = bitselect(alpha*x, x, x < 0): alpha*x where x < 0, x elsewhere. The store's operands:
        ;; the address, then (no value) x loaded into $xi, then the value.
        (v128.store align=4 (i32.add (local.get $y) (local.get $off))
          (local.set $xi (v128.load align=4 (i32.add (local.get $x) (local.get $off))))
          (v128.bitselect
            (f32x4.mul (local.get $xi) (local.get $a))
            (local.get $xi)
            (f32x4.lt (local.get $xi) (local.get $zero))))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $groups))))

  ;; gradient(dy, x, dx, bytes, alpha)
  (func (export "gradient")
    (param $dy i32) (param $x i32) (param $dx i32) (param $bytes i32) (param $alpha f32)
    (local $off i32) (local $a v128) (local $zero v128) (local $dyi v128)
    (local.set $a (f32x4.splat (local.get $alpha)))
    (local.set $zero (f32x4.splat (f32.const 0)))
    (block $done
      (loop $groups
        (br_if $done (i32.ge_u (local.get $off) (local.get $bytes)))
        ;; dx = bitselect(dy, dy*alpha, x > 0): dy where x > 0, dy*alpha elsewhere
        (v128.store align=4 (i32.add (local.get $dx) (local.get $off))
          (local.set $dyi (v128.load align=4 (i32.add (local.get $dy) (local.get $off))))
          (v128.bitselect
            (local.get $dyi)
            (f32x4.mul (local.get $dyi) (local.get $a))
            (f32x4.gt (v128.load align=4 (i32.add (local.get $x) (local.get $off))) (local.get $zero))))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $groups))))
)
