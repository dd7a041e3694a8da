;; The relaxed-SIMD variant of gemm.wat: the same float32 GEMM, C = A·B, with the same operand
;; layout, 4x8 micro-kernel and cache blocking, where each multiply and add becomes one
;; f32x4.relaxed_madd (a·b + c). Engines with WebAssembly relaxed SIMD (V8 in Node 22 and later,
;; current Chrome) emit a fused multiply-add where the CPU has one: one rounding per k instead of
;; two, and half the arithmetic instructions. Relaxed SIMD lets an engine leave the multiply and add
;; unfused, so a result is either the plain path's or the fused one's: each C element is still
;; summed in float32 in k order, and the two variants differ only by the rounding of the products.
;;
;; One thing more than gemm.wat: this module has a small memory of its own, $strip, beside the
;; imported one (WebAssembly multi-memory, which every engine with relaxed SIMD also has). Before a
;; strip of 8 columns meets the panels of a row block, its rows of the current K block are copied
;; there, one after the other (at most 512 rows of 32 bytes: 16 KiB). The micro-kernel then reads B
;; as one contiguous stream, as it reads A, instead of 32 bytes from every row of B (a row of B is
;; np floats long, so each k touched a new cache line and, for wide B, a new page). The copy is
;; paid once per strip and row block, and read by up to 32 panels. Copying changes no value, so the
;; bits are those of the unpacked loop.
;;
;; The K blocks are 512 long and the row blocks 128 rows (32 panels): the strip (16 KiB) stays in the
;; first-level cache and the block of A (256 KiB) in the second-level one.
;;
;; The module validates only where relaxed SIMD and multi-memory exist (Node 20's V8 has neither);
;; wasm-simd-gemm.ts then uses gemm.wat. A file named *-relaxed.wat is assembled by
;; scripts/build-wasm.ts with wabt's relaxed_simd and multi_memory features into gemm-relaxed.bytes.ts;
;; a test checks the bytes against this file.
(module
  (import "env" "memory" (memory $heap 1))
  (memory $strip 1)

  ;; gemm(a, b, c, mp, k, np): mp rows (a multiple of 4), k >= 1, np columns (a multiple of 8).
  (func (export "gemm")
    (param $a i32) (param $b i32) (param $c i32) (param $mp i32) (param $k i32) (param $np i32)
    (local $rowBytes i32) (local $k0 i32) (local $kn i32) (local $bk i32) (local $m0 i32) (local $mEnd i32)
    (local $jb i32) (local $row i32) (local $pa i32) (local $pb i32) (local $kEnd i32) (local $pc i32) (local $ps i32) (local $psEnd i32)
    (local $c0a v128) (local $c0b v128) (local $c1a v128) (local $c1b v128) (local $c2a v128) (local $c2b v128) (local $c3a v128) (local $c3b v128)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local.set $rowBytes (i32.shl (local.get $np) (i32.const 2)))
    ;; $k0: first k of the current K block, $kn its length, $bk the byte address of row k0 of B
    (loop $kBlocks
      (local.set $kn (i32.sub (local.get $k) (local.get $k0)))
      (if (i32.gt_u (local.get $kn) (i32.const 512)) (then (local.set $kn (i32.const 512))))
      (local.set $bk (i32.add (local.get $b) (i32.mul (local.get $k0) (local.get $rowBytes))))
      ;; $m0..$mEnd: the rows of the current row block
      (local.set $m0 (i32.const 0))
      (loop $rowBlocks
        (local.set $mEnd (i32.add (local.get $m0) (i32.const 128)))
        (if (i32.gt_u (local.get $mEnd) (local.get $mp)) (then (local.set $mEnd (local.get $mp))))
        ;; $jb: byte offset of the current strip of 8 columns
        (local.set $jb (i32.const 0))
        (loop $strips
          ;; copy rows k0..k0+kn-1 of the strip to $strip, 32 bytes each, one after the other
          (local.set $pb (i32.add (local.get $bk) (local.get $jb)))
          (local.set $ps (i32.const 0))
          (local.set $psEnd (i32.shl (local.get $kn) (i32.const 5)))
          (loop $copy
            (v128.store $strip (local.get $ps) (v128.load $heap align=4 (local.get $pb)))
            (v128.store $strip offset=16 (local.get $ps) (v128.load $heap offset=16 align=4 (local.get $pb)))
            (local.set $pb (i32.add (local.get $pb) (local.get $rowBytes)))
            (br_if $copy (i32.lt_u (local.tee $ps (i32.add (local.get $ps) (i32.const 32))) (local.get $psEnd))))
          (local.set $row (local.get $m0))
          (loop $panels
            ;; $pc: the 4x8 block of C at rows row..row+3, the strip's 8 columns
            (local.set $pc
              (i32.add (i32.add (local.get $c) (i32.mul (local.get $row) (local.get $rowBytes))) (local.get $jb)))
            (if (i32.eqz (local.get $k0))
              (then
                (local.set $c0a (v128.const i32x4 0 0 0 0))
                (local.set $c0b (v128.const i32x4 0 0 0 0))
                (local.set $c1a (v128.const i32x4 0 0 0 0))
                (local.set $c1b (v128.const i32x4 0 0 0 0))
                (local.set $c2a (v128.const i32x4 0 0 0 0))
                (local.set $c2b (v128.const i32x4 0 0 0 0))
                (local.set $c3a (v128.const i32x4 0 0 0 0))
                (local.set $c3b (v128.const i32x4 0 0 0 0)))
              (else
                (local.set $c0a (v128.load align=4 (local.get $pc)))
                (local.set $c0b (v128.load offset=16 align=4 (local.get $pc)))
                (local.set $c1a (v128.load align=4 (i32.add (local.get $pc) (local.get $rowBytes))))
                (local.set $c1b (v128.load offset=16 align=4 (i32.add (local.get $pc) (local.get $rowBytes))))
                (local.set $c2a (v128.load align=4 (i32.add (local.get $pc) (i32.shl (local.get $rowBytes) (i32.const 1)))))
                (local.set $c2b (v128.load offset=16 align=4 (i32.add (local.get $pc) (i32.shl (local.get $rowBytes) (i32.const 1)))))
                (local.set $c3a (v128.load align=4 (i32.add (local.get $pc) (i32.mul (local.get $rowBytes) (i32.const 3)))))
                (local.set $c3b (v128.load offset=16 align=4 (i32.add (local.get $pc) (i32.mul (local.get $rowBytes) (i32.const 3)))))))
            ;; panel row/4 from k0: byte a + (row*K + 4*k0)*4
            (local.set $pa
              (i32.add (local.get $a)
                (i32.shl (i32.add (i32.mul (local.get $row) (local.get $k)) (i32.shl (local.get $k0) (i32.const 2))) (i32.const 2))))
            (local.set $pb (i32.const 0))
            (local.set $kEnd (i32.add (local.get $pa) (i32.shl (local.get $kn) (i32.const 4))))
            (loop $inner
              (local.set $b0 (v128.load $strip (local.get $pb)))
              (local.set $b1 (v128.load $strip offset=16 (local.get $pb)))
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
              (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
              (br_if $inner (i32.lt_u (local.get $pa) (local.get $kEnd))))
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
            (br_if $panels (i32.lt_u (local.tee $row (i32.add (local.get $row) (i32.const 4))) (local.get $mEnd))))
          (br_if $strips (i32.lt_u (local.tee $jb (i32.add (local.get $jb) (i32.const 32))) (local.get $rowBytes))))
        (br_if $rowBlocks (i32.lt_u (local.tee $m0 (local.get $mEnd)) (local.get $mp))))
      (br_if $kBlocks (i32.lt_u (local.tee $k0 (i32.add (local.get $k0) (local.get $kn))) (local.get $k))))))
