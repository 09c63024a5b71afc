// What the browser must offer before the engine can start: WebAssembly, and its 128-bit SIMD instructions
// (the engine's module is compiled with them: Chrome 91+, Firefox 89+, Safari 16.4+). Without them the module
// would fail to compile with a message a learner cannot act on, so the page asks first and says which is missing.

/** The smallest module that uses a SIMD instruction (i8x16.splat, i8x16.popcnt), as wasm-feature-detect checks it. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/**
 * What this browser lacks for the engine: 'wasm' (no WebAssembly), 'simd' (WebAssembly without SIMD), or null.
 * @param {typeof globalThis} scope where to look (the window, or a worker's scope)
 */
export function missingFeature(scope = globalThis) {
  const wasm = scope.WebAssembly;
  if (typeof wasm !== 'object' || typeof wasm?.validate !== 'function') return 'wasm';
  try {
    return wasm.validate(SIMD_PROBE) ? null : 'simd';
  } catch {
    return 'simd';
  }
}

/** The catalogue key of the message that says what is missing (error.noWasm, error.noSimd). */
export function missingFeatureKey(missing) {
  return missing === 'wasm' ? 'error.noWasm' : 'error.noSimd';
}
