;; The relaxed-SIMD variant of gemm.wat: the same float32 GEMM, C = A·B, with the same operand
;; layout, loops and 4x8 micro-kernel, where each multiply and add becomes one f32x4.relaxed_madd
;; (a·b + c). Engines with WebAssembly relaxed SIMD (V8 in Node 22 and later, current Chrome) emit a
;; fused multiply-add where the CPU has one: one rounding per k instead of two, and half the
;; arithmetic instructions. Relaxed SIMD lets an engine leave the multiply and add unfused, so a
;; result is either the plain path's or the fused one's: each C element is still summed in float32
;; in k order, and the two variants differ only by the rounding of the products.
;;
;; The module validates only where relaxed SIMD exists (Node 20's V8 does not enable it);
;; wasm-simd-gemm.ts then uses gemm.wat. A file named *-relaxed.wat is assembled by
;; scripts/build-wasm.ts with wabt's relaxed_simd feature into gemm-relaxed.bytes.ts; a test checks
;; the bytes against this file.
(module
  (import "env" "memory" (memory 1))

  ;; gemm(a, b, c, mp, k, np): mp rows (a multiple of 4), k >= 1, np columns (a multiple of 8).
  (func (export "gemm")
    (param $a i32) (param $b i32) (param $c i32) (param $mp i32) (param $k i32) (param $np i32)
    (local $jb i32) (local $pa i32) (local $pb i32) (local $kEnd i32) (local $row i32) (local $rowBytes i32)
    (local $panel i32) (local $pc i32)
    (local $c0a v128) (local $c0b v128) (local $c1a v128) (local $c1b v128) (local $c2a v128) (local $c2b v128) (local $c3a v128) (local $c3b v128)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local.set $rowBytes (i32.shl (local.get $np) (i32.const 2)))
    ;; $jb: byte offset of the current strip of 8 columns
    (loop $strips
      (local.set $panel (local.get $a))
      (local.set $row (i32.const 0))
      (loop $panels
        (local.set $c0a (v128.const i32x4 0 0 0 0))
        (local.set $c0b (v128.const i32x4 0 0 0 0))
        (local.set $c1a (v128.const i32x4 0 0 0 0))
        (local.set $c1b (v128.const i32x4 0 0 0 0))
        (local.set $c2a (v128.const i32x4 0 0 0 0))
        (local.set $c2b (v128.const i32x4 0 0 0 0))
        (local.set $c3a (v128.const i32x4 0 0 0 0))
        (local.set $c3b (v128.const i32x4 0 0 0 0))
        (local.set $pa (local.get $panel))
        (local.set $pb (i32.add (local.get $b) (local.get $jb)))
        (local.set $kEnd (i32.add (local.get $panel) (i32.shl (local.get $k) (i32.const 4))))
        (loop $inner
          (local.set $b0 (v128.load align=4 (local.get $pb)))
          (local.set $b1 (v128.load offset=16 align=4 (local.get $pb)))
          (local.set $s (v128.load32_splat offset=0 (local.get $pa)))
          (local.set $c0a (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c0a)))
          (local.set $c0b (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c0b)))
          (local.set $s (v128.load32_splat offset=4 (local.get $pa)))
          (local.set $c1a (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c1a)))
          (local.set $c1b (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c1b)))
          (local.set $s (v128.load32_splat offset=8 (local.get $pa)))
          (local.set $c2a (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c2a)))
          (local.set $c2b (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c2b)))
          (local.set $s (v128.load32_splat offset=12 (local.get $pa)))
          (local.set $c3a (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c3a)))
          (local.set $c3b (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c3b)))
          (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
          (local.set $pb (i32.add (local.get $pb) (local.get $rowBytes)))
          (br_if $inner (i32.lt_u (local.get $pa) (local.get $kEnd))))
        ;; store the 4x8 block: rows row..row+3, the strip's 8 columns
        (local.set $pc
          (i32.add (i32.add (local.get $c) (i32.mul (local.get $row) (local.get $rowBytes))) (local.get $jb)))
        (v128.store align=4 (local.get $pc) (local.get $c0a))
        (v128.store offset=16 align=4 (local.get $pc) (local.get $c0b))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowBytes)))
        (v128.store align=4 (local.get $pc) (local.get $c1a))
        (v128.store offset=16 align=4 (local.get $pc) (local.get $c1b))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowBytes)))
        (v128.store align=4 (local.get $pc) (local.get $c2a))
        (v128.store offset=16 align=4 (local.get $pc) (local.get $c2b))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowBytes)))
        (v128.store align=4 (local.get $pc) (local.get $c3a))
        (v128.store offset=16 align=4 (local.get $pc) (local.get $c3b))
        (local.set $panel (local.get $kEnd))
        (br_if $panels (i32.lt_u (local.tee $row (i32.add (local.get $row) (i32.const 4))) (local.get $mp))))
      (br_if $strips (i32.lt_u (local.tee $jb (i32.add (local.get $jb) (i32.const 32))) (local.get $rowBytes)))))
)
