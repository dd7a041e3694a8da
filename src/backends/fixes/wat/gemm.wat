;; The library's float32 GEMM, C = A·B, in 128-bit SIMD (wasm-simd-gemm.ts describes the layout).
;;
;; The caller packs the operands into the imported memory (byte addresses):
;; - A as 4-row panels: panel p holds rows 4p..4p+3, one group of four floats per k
;;   (a[(p*K + k)*4 + r] = A[4p + r][k]), so the micro-kernel reads one contiguous stream;
;; - B row-major, K rows of np floats (np a multiple of 8; padding columns reach only padding columns of C);
;; - C comes out row-major, mp rows of np floats (mp a multiple of 4).
;;
;; The micro-kernel holds a 4x8 block of C in eight f32x4 locals: per k it loads four values of A,
;; each splatted to four lanes as it is loaded, two f32x4 of B, and does eight multiplies and eight
;; adds (no fused multiply-add: Node 20's V8 does not enable relaxed SIMD).
;;
;; The loops are blocked for the caches. K is cut into blocks of 256 and the rows into blocks of 128
;; (32 panels); for each pair of blocks, column strips of 8 are the next loop and the panels the
;; innermost one. A strip's 256 rows of B (256 cache lines, 16 KiB) then stay in the first-level cache
;; while the block's 32 panels stream past it, and the block of A (128 KiB) stays in the second-level
;; cache while the strips go by. The first K block starts each 4x8 block of C from zero; the later
;; ones load it back from C, add their own terms and store it again. A float32 stored and loaded is
;; the same float32, so each C element is still summed in float32 in k order, with the same bits as
;; without blocking. Unblocked, a product with a tall A (a convolution's im2col columns) streamed the
;; whole of A from memory once per strip.
;;
;; Built by scripts/build-wasm.ts into gemm.bytes.ts; a test checks the bytes against this file.
(module
  (import "env" "memory" (memory 1))

  ;; gemm(a, b, c, mp, k, np): mp rows (a multiple of 4), k >= 1, np columns (a multiple of 8).
  (func (export "gemm")
    (param $a i32) (param $b i32) (param $c i32) (param $mp i32) (param $k i32) (param $np i32)
    (local $rowBytes i32) (local $k0 i32) (local $kn i32) (local $bk i32) (local $m0 i32) (local $mEnd i32)
    (local $jb i32) (local $row i32) (local $pa i32) (local $pb i32) (local $kEnd i32) (local $pc i32)
    (local $c0a v128) (local $c0b v128) (local $c1a v128) (local $c1b v128) (local $c2a v128) (local $c2b v128) (local $c3a v128) (local $c3b v128)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local.set $rowBytes (i32.shl (local.get $np) (i32.const 2)))
    ;; $k0: first k of the current K block, $kn its length, $bk the byte address of row k0 of B
    (loop $kBlocks
      (local.set $kn (i32.sub (local.get $k) (local.get $k0)))
      (if (i32.gt_u (local.get $kn) (i32.const 256)) (then (local.set $kn (i32.const 256))))
      (local.set $bk (i32.add (local.get $b) (i32.mul (local.get $k0) (local.get $rowBytes))))
      ;; $m0..$mEnd: the rows of the current row block
      (local.set $m0 (i32.const 0))
      (loop $rowBlocks
        (local.set $mEnd (i32.add (local.get $m0) (i32.const 128)))
        (if (i32.gt_u (local.get $mEnd) (local.get $mp)) (then (local.set $mEnd (local.get $mp))))
        ;; $jb: byte offset of the current strip of 8 columns
        (local.set $jb (i32.const 0))
        (loop $strips
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
            (local.set $pb (i32.add (local.get $bk) (local.get $jb)))
            (local.set $kEnd (i32.add (local.get $pa) (i32.shl (local.get $kn) (i32.const 4))))
            (loop $inner
              (local.set $b0 (v128.load align=4 (local.get $pb)))
              (local.set $b1 (v128.load offset=16 align=4 (local.get $pb)))
              (local.set $s (v128.load32_splat offset=0 (local.get $pa)))
              (local.set $c0a (f32x4.add (local.get $c0a) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $c0b (f32x4.add (local.get $c0b) (f32x4.mul (local.get $s) (local.get $b1))))
              (local.set $s (v128.load32_splat offset=4 (local.get $pa)))
              (local.set $c1a (f32x4.add (local.get $c1a) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $c1b (f32x4.add (local.get $c1b) (f32x4.mul (local.get $s) (local.get $b1))))
              (local.set $s (v128.load32_splat offset=8 (local.get $pa)))
              (local.set $c2a (f32x4.add (local.get $c2a) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $c2b (f32x4.add (local.get $c2b) (f32x4.mul (local.get $s) (local.get $b1))))
              (local.set $s (v128.load32_splat offset=12 (local.get $pa)))
              (local.set $c3a (f32x4.add (local.get $c3a) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $c3b (f32x4.add (local.get $c3b) (f32x4.mul (local.get $s) (local.get $b1))))
              (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
              (local.set $pb (i32.add (local.get $pb) (local.get $rowBytes)))
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
