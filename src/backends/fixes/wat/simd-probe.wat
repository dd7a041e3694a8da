;; The WebAssembly SIMD probe (hasWasmSimd in wasm-simd-gemm.ts): a module whose one function
;; returns f32x4.splat(0). It is never run; WebAssembly.validate accepts it only where the engine
;; has 128-bit SIMD.
;;
;; Built by scripts/build-wasm.ts into simd-probe.bytes.ts; a test checks the bytes against this file.
(module
  (func (result v128)
    (f32x4.splat (f32.const 0))))
