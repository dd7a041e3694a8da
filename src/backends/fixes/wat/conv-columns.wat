;; The data movement of the wasm convolution kernels (wasm-simd-conv.ts, wasm-simd-conv2d.ts) and the heap products
;; (wasm-heap-matmul.ts), in 128-bit SIMD: im2col
;; into the GEMM's row panels, col2im as a scatter-add, and rows packed into panels. Both are driven by a table of pixel
;; offsets that the JavaScript side computes once per convolution shape:
;;   table[m*taps + t] = offset, in floats, of the input pixel that tap t of output pixel m reads
;;                       (channel 0 of x[n, oh*sh - top + fh, ow*sw - left + fw]), or -1 in the padding.
;; Channels come in groups of 4 floats (Cin a multiple of 4; the JavaScript side does the others).
;; Every address is a byte address in the imported memory (tfjs-wasm's heap).
;;
;; Built by scripts/build-wasm.ts into conv-columns.bytes.ts; a test checks the bytes against this file.
(module
  (import "env" "memory" (memory 1))

  ;; im2col, transposed, into 4-row panels: for tap t, channel group q and row m of the chunk,
  ;;   a[(t*groups + q)*rows + m] (one f32x4) = x[table[m*taps + t] + 4q ..+4], or zeros for -1.
  ;; The GEMM reads panel p = t*groups + q as its rows 4p..4p+3, with the chunk's rows as its k.
  ;; Writes are sequential; $a walks the panels in order.
  (func (export "gatherPanels")
    (param $x i32) (param $table i32) (param $taps i32) (param $rows i32) (param $groups i32) (param $a i32)
    (local $t i32) (local $q i32) (local $m i32) (local $s i32) (local $entry i32) (local $xq i32) (local $step i32)
    ;; bytes from one row's table entries to the next row's
    (local.set $step (i32.shl (local.get $taps) (i32.const 2)))
    (loop $tap
      (local.set $q (i32.const 0))
      (loop $group
        ;; the group's first channel, as a byte address relative to pixel offset 0
        (local.set $xq (i32.add (local.get $x) (i32.shl (local.get $q) (i32.const 4))))
        (local.set $entry (i32.add (local.get $table) (i32.shl (local.get $t) (i32.const 2))))
        (local.set $m (i32.const 0))
        (loop $row
          (local.set $s (i32.load (local.get $entry)))
          (v128.store (local.get $a)
            (if (result v128) (i32.lt_s (local.get $s) (i32.const 0))
              (then (v128.const i32x4 0 0 0 0))
              (else (v128.load align=4 (i32.add (local.get $xq) (i32.shl (local.get $s) (i32.const 2)))))))
          (local.set $a (i32.add (local.get $a) (i32.const 16)))
          (local.set $entry (i32.add (local.get $entry) (local.get $step)))
          (br_if $row (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1))) (local.get $rows))))
        (br_if $group (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $groups))))
      (br_if $tap (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $taps)))))

  ;; col2im: for row m of the chunk and tap t whose entry d is not -1,
  ;;   dx[d .. d + Cin) += c[m][t*Cin .. (t+1)*Cin)    (c: rows $rowBytes apart)
  ;; in the order rows, taps, channels: the same additions in the same order as a scalar loop.
  (func (export "scatterAdd")
    (param $c i32) (param $rowBytes i32) (param $table i32) (param $taps i32) (param $rows i32)
    (param $cinBytes i32) (param $dx i32)
    (local $m i32) (local $t i32) (local $d i32) (local $src i32) (local $s i32) (local $dst i32) (local $end i32)
    (loop $row
      (local.set $src (local.get $c))
      (local.set $t (i32.const 0))
      (loop $tap
        (local.set $d (i32.load (local.get $table)))
        (if (i32.ge_s (local.get $d) (i32.const 0))
          (then
            (local.set $dst (i32.add (local.get $dx) (i32.shl (local.get $d) (i32.const 2))))
            (local.set $end (i32.add (local.get $dst) (local.get $cinBytes)))
            (local.set $s (local.get $src))
            (loop $channels
              (v128.store align=4 (local.get $dst)
                (f32x4.add (v128.load align=4 (local.get $dst)) (v128.load align=4 (local.get $s))))
              (local.set $s (i32.add (local.get $s) (i32.const 16)))
              (br_if $channels
                (i32.lt_u (local.tee $dst (i32.add (local.get $dst) (i32.const 16))) (local.get $end))))))
        (local.set $src (i32.add (local.get $src) (local.get $cinBytes)))
        (local.set $table (i32.add (local.get $table) (i32.const 4)))
        (br_if $tap (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $taps))))
      (local.set $c (i32.add (local.get $c) (local.get $rowBytes)))
      (br_if $row (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1))) (local.get $rows)))))

  ;; Rows of a row-major matrix ($cols floats each, a multiple of 4) into the GEMM's 4-row panels:
  ;; for panel p and column k, a[(p*cols + k)*4 + r] = src[(4p + r)*cols + k]. Per 4 columns: one
  ;; f32x4 load from each of the 4 rows, a 4x4 transpose in shuffles, four sequential stores.
  ;; Whole panels only ($panels >= 1); the caller packs a last partial panel.
  (func (export "packPanels") (param $src i32) (param $panels i32) (param $cols i32) (param $a i32)
    (local $p i32) (local $rowBytes i32) (local $at i32) (local $end i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (loop $panel
      ;; $at: the current 4 columns of the panel's first row
      (local.set $at (local.get $src))
      (local.set $end (i32.add (local.get $src) (local.get $rowBytes)))
      (loop $group
        (local.set $v0 (v128.load align=4 (local.get $at)))
        (local.set $v1 (v128.load align=4 (i32.add (local.get $at) (local.get $rowBytes))))
        (local.set $v2 (v128.load align=4 (i32.add (local.get $at) (i32.shl (local.get $rowBytes) (i32.const 1)))))
        (local.set $v3 (v128.load align=4 (i32.add (local.get $at) (i32.mul (local.get $rowBytes) (i32.const 3)))))
        ;; t0 = [v0.0 v1.0 v0.1 v1.1], t1 = [v2.0 v3.0 v2.1 v3.1], t2 and t3 the same of lanes 2, 3
        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
        (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
        (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
        (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
        ;; column j of the four rows: [v0.j v1.j v2.j v3.j]
        (v128.store align=4 (local.get $a)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
        (v128.store offset=16 align=4 (local.get $a)
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
        (v128.store offset=32 align=4 (local.get $a)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
        (v128.store offset=48 align=4 (local.get $a)
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
        (local.set $a (i32.add (local.get $a) (i32.const 64)))
        (br_if $group (i32.lt_u (local.tee $at (i32.add (local.get $at) (i32.const 16))) (local.get $end))))
      ;; the next four rows
      (local.set $src (i32.add (local.get $src) (i32.shl (local.get $rowBytes) (i32.const 2))))
      (br_if $panel (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $panels)))))

  ;; im2col into the GEMM's row panels for the forward convolution, cols[M, K] (K = taps*Cin), or
  ;; a slice of its columns: $taps consecutive taps of the $tapStride entries a pixel has in the
  ;; table (which starts at the slice's first tap). Panel p holds output pixels 4p..4p+3 of the
  ;; chunk, and per k = t*Cin + 4q + j one f32x4
  ;;   a[(p*K + k)*4 + r] = x[table[(4p + r)*tapStride + t] + 4q + j], or 0 where the entry is -1.
  ;; Per tap the four pixels' addresses are taken once (a -1 entry reads the zeroed $zero buffer of
  ;; Cin floats instead, so the channel loop has no branch); per channel group: one f32x4 load from
  ;; each pixel, the 4x4 transpose of packPanels, four sequential stores. $panels whole panels: the
  ;; caller fills the table of a last partial panel with -1.
  (func (export "gatherRowPanels")
    (param $x i32) (param $table i32) (param $taps i32) (param $tapStride i32) (param $panels i32) (param $groups i32)
    (param $zero i32) (param $a i32)
    (local $p i32) (local $t i32) (local $q i32) (local $s i32) (local $step i32) (local $entry i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $off i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    ;; bytes from one pixel's table entries to the next pixel's
    (local.set $step (i32.shl (local.get $tapStride) (i32.const 2)))
    (loop $panel
      (local.set $t (i32.const 0))
      (loop $tap
        (local.set $entry (i32.add (local.get $table) (i32.shl (local.get $t) (i32.const 2))))
        (local.set $s (i32.load (local.get $entry)))
        (local.set $p0 (select (local.get $zero) (i32.add (local.get $x) (i32.shl (local.get $s) (i32.const 2)))
          (i32.lt_s (local.get $s) (i32.const 0))))
        (local.set $s (i32.load (i32.add (local.get $entry) (local.get $step))))
        (local.set $p1 (select (local.get $zero) (i32.add (local.get $x) (i32.shl (local.get $s) (i32.const 2)))
          (i32.lt_s (local.get $s) (i32.const 0))))
        (local.set $s (i32.load (i32.add (local.get $entry) (i32.shl (local.get $step) (i32.const 1)))))
        (local.set $p2 (select (local.get $zero) (i32.add (local.get $x) (i32.shl (local.get $s) (i32.const 2)))
          (i32.lt_s (local.get $s) (i32.const 0))))
        (local.set $s (i32.load (i32.add (local.get $entry) (i32.mul (local.get $step) (i32.const 3)))))
        (local.set $p3 (select (local.get $zero) (i32.add (local.get $x) (i32.shl (local.get $s) (i32.const 2)))
          (i32.lt_s (local.get $s) (i32.const 0))))
        (local.set $q (i32.const 0))
        (loop $group
          (local.set $off (i32.shl (local.get $q) (i32.const 4)))
          (local.set $v0 (v128.load align=4 (i32.add (local.get $p0) (local.get $off))))
          (local.set $v1 (v128.load align=4 (i32.add (local.get $p1) (local.get $off))))
          (local.set $v2 (v128.load align=4 (i32.add (local.get $p2) (local.get $off))))
          (local.set $v3 (v128.load align=4 (i32.add (local.get $p3) (local.get $off))))
          (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
          (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
          (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
          (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
          ;; channel 4q + j of the four pixels: [v0.j v1.j v2.j v3.j]
          (v128.store align=4 (local.get $a)
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
          (v128.store offset=16 align=4 (local.get $a)
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
          (v128.store offset=32 align=4 (local.get $a)
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
          (v128.store offset=48 align=4 (local.get $a)
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
          (local.set $a (i32.add (local.get $a) (i32.const 64)))
          (br_if $group (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $groups))))
        (br_if $tap (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $taps))))
      ;; the next four pixels' entries
      (local.set $table (i32.add (local.get $table) (i32.shl (local.get $step) (i32.const 2))))
      (br_if $panel (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $panels)))))

  ;; c[m][j] += bias[j] for $rows rows of $cols floats (a multiple of 4): a convolution's bias, added
  ;; after the product as tfjs's cpu kernel does.
  (func (export "addBias") (param $c i32) (param $rows i32) (param $cols i32) (param $bias i32)
    (local $m i32) (local $j i32) (local $colBytes i32)
    (local.set $colBytes (i32.shl (local.get $cols) (i32.const 2)))
    (loop $row
      (local.set $j (i32.const 0))
      (loop $col
        (v128.store align=4 (i32.add (local.get $c) (local.get $j))
          (f32x4.add (v128.load align=4 (i32.add (local.get $c) (local.get $j)))
            (v128.load align=4 (i32.add (local.get $bias) (local.get $j)))))
        (br_if $col (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $colBytes))))
      (local.set $c (i32.add (local.get $c) (local.get $colBytes)))
      (br_if $row (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1))) (local.get $rows)))))

  ;; dst[r][j] = src[r][j] for $rows rows of $cols floats (a multiple of 4): src rows $srcRowBytes
  ;; apart, dst rows contiguous. A product's rows out of padded rows.
  (func (export "copyRows") (param $src i32) (param $srcRowBytes i32) (param $rows i32) (param $cols i32) (param $dst i32)
    (local $m i32) (local $j i32) (local $colBytes i32)
    (local.set $colBytes (i32.shl (local.get $cols) (i32.const 2)))
    (loop $row
      (local.set $j (i32.const 0))
      (loop $col
        (v128.store align=4 (i32.add (local.get $dst) (local.get $j))
          (v128.load align=4 (i32.add (local.get $src) (local.get $j))))
        (br_if $col (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $colBytes))))
      (local.set $src (i32.add (local.get $src) (local.get $srcRowBytes)))
      (local.set $dst (i32.add (local.get $dst) (local.get $colBytes)))
      (br_if $row (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1))) (local.get $rows)))))
  
  ;; dst[r][j] += src[r][j] for $rows rows of $cols floats (a multiple of 4): src rows $srcRowBytes
  ;; apart, dst rows contiguous. The filter gradient's sum over chunks: one float32 addition per
  ;; element and chunk, in chunk order, as the scalar loop it replaces.
  (func (export "addRows") (param $src i32) (param $srcRowBytes i32) (param $rows i32) (param $cols i32) (param $dst i32)
    (local $m i32) (local $j i32) (local $colBytes i32)
    (local.set $colBytes (i32.shl (local.get $cols) (i32.const 2)))
    (loop $row
      (local.set $j (i32.const 0))
      (loop $col
        (v128.store align=4 (i32.add (local.get $dst) (local.get $j))
          (f32x4.add (v128.load align=4 (i32.add (local.get $dst) (local.get $j)))
            (v128.load align=4 (i32.add (local.get $src) (local.get $j)))))
        (br_if $col (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $colBytes))))
      (local.set $src (i32.add (local.get $src) (local.get $srcRowBytes)))
      (local.set $dst (i32.add (local.get $dst) (local.get $colBytes)))
      (br_if $row (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1))) (local.get $rows)))))

  ;; dst[j][i] = src[i][j]: a row-major $rows x $cols matrix (both multiples of 4) transposed into rows
  ;; $dstRowBytes apart, in 4x4 blocks (the shuffles of packPanels). The input gradient's B = Wᵀ.
  (func (export "transposeInto") (param $src i32) (param $rows i32) (param $cols i32) (param $dst i32) (param $dstRowBytes i32)
    (local $i i32) (local $j i32) (local $rowBytes i32) (local $at i32) (local $to i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (loop $rowBlock
      (local.set $j (i32.const 0))
      (loop $colBlock
        ;; the 4x4 block at rows i..i+3, columns j..j+3
        (local.set $at (i32.add (i32.add (local.get $src) (i32.mul (local.get $i) (local.get $rowBytes)))
          (i32.shl (local.get $j) (i32.const 2))))
        (local.set $v0 (v128.load align=4 (local.get $at)))
        (local.set $v1 (v128.load align=4 (i32.add (local.get $at) (local.get $rowBytes))))
        (local.set $v2 (v128.load align=4 (i32.add (local.get $at) (i32.shl (local.get $rowBytes) (i32.const 1)))))
        (local.set $v3 (v128.load align=4 (i32.add (local.get $at) (i32.mul (local.get $rowBytes) (i32.const 3)))))
        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
        (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
        (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
        (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
        ;; row j + q of dst, columns i..i+3: [v0.q v1.q v2.q v3.q]
        (local.set $to (i32.add (i32.add (local.get $dst) (i32.mul (local.get $j) (local.get $dstRowBytes)))
          (i32.shl (local.get $i) (i32.const 2))))
        (v128.store align=4 (local.get $to)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
        (local.set $to (i32.add (local.get $to) (local.get $dstRowBytes)))
        (v128.store align=4 (local.get $to)
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
        (local.set $to (i32.add (local.get $to) (local.get $dstRowBytes)))
        (v128.store align=4 (local.get $to)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
        (local.set $to (i32.add (local.get $to) (local.get $dstRowBytes)))
        (v128.store align=4 (local.get $to)
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
        (br_if $colBlock (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4))) (local.get $cols))))
      (br_if $rowBlock (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $rows)))))

  ;; gatherRowPanels for one input channel (a grayscale image): per panel p and tap t one f32x4
  ;;   a[(p*taps + t)*4 + r] = x[table[(4p + r)*tapStride + t]], or 0 where the entry is -1,
  ;; from four scalar loads.
  (func (export "gatherRowPanels1")
    (param $x i32) (param $table i32) (param $taps i32) (param $tapStride i32) (param $panels i32) (param $a i32)
    (local $p i32) (local $t i32) (local $s i32) (local $step i32) (local $entry i32)
    (local.set $step (i32.shl (local.get $tapStride) (i32.const 2)))
    (loop $panel
      (local.set $t (i32.const 0))
      (loop $tap
        (local.set $entry (i32.add (local.get $table) (i32.shl (local.get $t) (i32.const 2))))
        (local.set $s (i32.load (local.get $entry)))
        (f32.store offset=0 (local.get $a) (if (result f32) (i32.lt_s (local.get $s) (i32.const 0))
          (then (f32.const 0)) (else (f32.load (i32.add (local.get $x) (i32.shl (local.get $s) (i32.const 2)))))))
        (local.set $s (i32.load (i32.add (local.get $entry) (local.get $step))))
        (f32.store offset=4 (local.get $a) (if (result f32) (i32.lt_s (local.get $s) (i32.const 0))
          (then (f32.const 0)) (else (f32.load (i32.add (local.get $x) (i32.shl (local.get $s) (i32.const 2)))))))
        (local.set $s (i32.load (i32.add (local.get $entry) (i32.shl (local.get $step) (i32.const 1)))))
        (f32.store offset=8 (local.get $a) (if (result f32) (i32.lt_s (local.get $s) (i32.const 0))
          (then (f32.const 0)) (else (f32.load (i32.add (local.get $x) (i32.shl (local.get $s) (i32.const 2)))))))
        (local.set $s (i32.load (i32.add (local.get $entry) (i32.mul (local.get $step) (i32.const 3)))))
        (f32.store offset=12 (local.get $a) (if (result f32) (i32.lt_s (local.get $s) (i32.const 0))
          (then (f32.const 0)) (else (f32.load (i32.add (local.get $x) (i32.shl (local.get $s) (i32.const 2)))))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (br_if $tap (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $taps))))
      (local.set $table (i32.add (local.get $table) (i32.shl (local.get $step) (i32.const 2))))
      (br_if $panel (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $panels)))))

  ;; gatherPanels for one input channel, taps a multiple of 4: for panel p (taps 4p..4p+3) and row m
  ;;   a[(p*rows + m)*4 + r] = x[table[m*taps + 4p + r]], or 0 where the entry is -1.
  (func (export "gatherPanels1") (param $x i32) (param $table i32) (param $taps i32) (param $rows i32) (param $a i32)
    (local $p i32) (local $m i32) (local $s i32) (local $entry i32) (local $step i32)
    (local.set $step (i32.shl (local.get $taps) (i32.const 2)))
    (loop $panel
      (local.set $entry (i32.add (local.get $table) (i32.shl (local.get $p) (i32.const 4))))
      (local.set $m (i32.const 0))
      (loop $row
        (local.set $s (i32.load offset=0 (local.get $entry)))
        (f32.store offset=0 (local.get $a) (if (result f32) (i32.lt_s (local.get $s) (i32.const 0))
          (then (f32.const 0)) (else (f32.load (i32.add (local.get $x) (i32.shl (local.get $s) (i32.const 2)))))))
        (local.set $s (i32.load offset=4 (local.get $entry)))
        (f32.store offset=4 (local.get $a) (if (result f32) (i32.lt_s (local.get $s) (i32.const 0))
          (then (f32.const 0)) (else (f32.load (i32.add (local.get $x) (i32.shl (local.get $s) (i32.const 2)))))))
        (local.set $s (i32.load offset=8 (local.get $entry)))
        (f32.store offset=8 (local.get $a) (if (result f32) (i32.lt_s (local.get $s) (i32.const 0))
          (then (f32.const 0)) (else (f32.load (i32.add (local.get $x) (i32.shl (local.get $s) (i32.const 2)))))))
        (local.set $s (i32.load offset=12 (local.get $entry)))
        (f32.store offset=12 (local.get $a) (if (result f32) (i32.lt_s (local.get $s) (i32.const 0))
          (then (f32.const 0)) (else (f32.load (i32.add (local.get $x) (i32.shl (local.get $s) (i32.const 2)))))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $entry (i32.add (local.get $entry) (local.get $step)))
        (br_if $row (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1))) (local.get $rows))))
      (br_if $panel (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (i32.shr_u (local.get $taps) (i32.const 2))))))

  ;; scatterAdd for one input channel: dx[d] += c[m][t] for row m of the chunk and tap t whose entry d
  ;; is not -1, in the order rows, taps (the scalar col2im's order).
  (func (export "scatterAdd1")
    (param $c i32) (param $rowBytes i32) (param $table i32) (param $taps i32) (param $rows i32) (param $dx i32)
    (local $m i32) (local $t i32) (local $d i32) (local $at i32)
    (loop $row
      (local.set $t (i32.const 0))
      (loop $tap
        (local.set $d (i32.load (local.get $table)))
        (if (i32.ge_s (local.get $d) (i32.const 0))
          (then
            (local.set $at (i32.add (local.get $dx) (i32.shl (local.get $d) (i32.const 2))))
            (f32.store (local.get $at)
              (f32.add (f32.load (local.get $at))
                (f32.load (i32.add (local.get $c) (i32.shl (local.get $t) (i32.const 2))))))))
        (local.set $table (i32.add (local.get $table) (i32.const 4)))
        (br_if $tap (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $taps))))
      (local.set $c (i32.add (local.get $c) (local.get $rowBytes)))
      (br_if $row (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1))) (local.get $rows)))))

  ;; The GEMM's row panels of a matrix stored transposed, Aᵀ as $k rows of $rowBytes bytes (the rows
  ;; of A are its columns): a[(p*k + kk)*4 + r] = src[kk][4p + r], one f32x4 copy each. For the
  ;; products with transposeA of the wasm-heap-matmul fix.
  (func (export "stridedPanels") (param $src i32) (param $panels i32) (param $k i32) (param $rowBytes i32) (param $a i32)
    (local $p i32) (local $kk i32) (local $at i32)
    (loop $panel
      (local.set $at (i32.add (local.get $src) (i32.shl (local.get $p) (i32.const 4))))
      (local.set $kk (i32.const 0))
      (loop $row
        (v128.store (local.get $a) (v128.load align=4 (local.get $at)))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $at (i32.add (local.get $at) (local.get $rowBytes)))
        (br_if $row (i32.lt_u (local.tee $kk (i32.add (local.get $kk) (i32.const 1))) (local.get $k))))
      (br_if $panel (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $panels)))))
  ;; ---- forward convolution by padding classes (wasm-simd-conv2d-skip-padding) ----
  ;; Rows of a class's product into the output pixels they belong to, with the bias added:
  ;;   dst[index[r]*cols + j] = src[r][j] + bias[j]    for $rows rows of $cols floats (a multiple of 4)
  ;; src rows $srcRowBytes apart (0: the same row for every r), index: $rows i32 pixel indices,
  ;; bias: $cols floats (zeros where the convolution has none: y + 0 is y).
  (func (export "scatterRowsBias")
    (param $src i32) (param $srcRowBytes i32) (param $rows i32) (param $cols i32) (param $index i32)
    (param $dst i32) (param $bias i32)
    (local $m i32) (local $j i32) (local $colBytes i32) (local $to i32)
    (local.set $colBytes (i32.shl (local.get $cols) (i32.const 2)))
    (loop $row
      (local.set $to (i32.add (local.get $dst) (i32.mul (i32.load (local.get $index)) (local.get $colBytes))))
      (local.set $j (i32.const 0))
      (loop $col
        (v128.store align=4 (i32.add (local.get $to) (local.get $j))
          (f32x4.add (v128.load align=4 (i32.add (local.get $src) (local.get $j)))
            (v128.load align=4 (i32.add (local.get $bias) (local.get $j)))))
        (br_if $col (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $colBytes))))
      (local.set $src (i32.add (local.get $src) (local.get $srcRowBytes)))
      (local.set $index (i32.add (local.get $index) (i32.const 4)))
      (br_if $row (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1))) (local.get $rows)))))
  ;; ---- end of the forward convolution by padding classes ----
)
