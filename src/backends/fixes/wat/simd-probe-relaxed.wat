;; The relaxed-SIMD probe (hasRelaxedSimd in wasm-simd-gemm.ts): a module whose one function returns
;; f32x4.relaxed_madd(0, 0, 0). It is never run; WebAssembly.validate accepts it only where the
;; engine has relaxed SIMD (V8 in Node 22 and later, current Chrome; not Node 20).
;;
;; Built by scripts/build-wasm.ts into simd-probe-relaxed.bytes.ts; a test checks the bytes against
;; this file.
(module
  (func (result v128)
    (f32x4.relaxed_madd
      (f32x4.splat (f32.const 0))
      (f32x4.splat (f32.const 0))
      (f32x4.splat (f32.const 0)))))
