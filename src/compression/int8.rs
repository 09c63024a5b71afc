//! The int8 kernel of the quantized networks: `C = A · Bᵀ` with `A` (rows, k) and `B` (outputs, k)
//! in i8 and `C` in i32. Integer sums are exact (|a·b| ≤ 127², so an i32 holds a sum of more
//! than 130,000 products), so the result is the same whatever the order of the sum: the SIMD128
//! path in WebAssembly and the portable path natively give the same bits.
//!
//! In WebAssembly (built with `+simd128`, see `.cargo/config.toml`), sixteen i8 of each row are
//! loaded at once, widened to i16 and multiplied pairwise into i32 lanes (`i32x4.dot_i16x8_s`);
//! natively the portable loop is vectorised by the compiler (x86's `pmaddwd` does the same).

/// Largest `k` the kernel accepts: 127² · k must fit in an i32.
pub const MAX_DEPTH: usize = (i32::MAX as usize) / (127 * 127);

/// `c[i·n + j] = Σ_p a[i·k + p] · b[j·k + p]` for the rows of `a` and the `n = b.len() / k` rows of
/// `b`. Shapes that do not agree are the caller's to refuse ([`super::quantized::QuantizedMlp`]
/// builds them); here a mismatch computes over the common part, never out of bounds.
pub fn matmul_i8(a: &[i8], b: &[i8], k: usize, c: &mut [i32]) {
    if k == 0 {
        c.fill(0);
        return;
    }
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        unsafe { matmul_avx2(a, b, k, c) };
        return;
    }
    matmul_portable(a, b, k, c);
}

/// The kernel's loops: each output row is computed from one row of `a` and every row of `b`,
/// four rows of `b` at a time (each load of `a` serves four sums).
#[inline(always)]
fn matmul_portable(a: &[i8], b: &[i8], k: usize, c: &mut [i32]) {
    let n = b.len() / k;
    for (a_row, c_row) in a.chunks_exact(k).zip(c.chunks_exact_mut(n.max(1))) {
        let mut b_rows = b.chunks_exact(4 * k);
        let mut c_quads = c_row.chunks_exact_mut(4);
        for (four, out) in (&mut b_rows).zip(&mut c_quads) {
            let (b0, rest) = four.split_at(k);
            let (b1, rest) = rest.split_at(k);
            let (b2, b3) = rest.split_at(k);
            out.copy_from_slice(&dot4(a_row, [b0, b1, b2, b3]));
        }
        for (b_row, out) in b_rows.remainder().chunks_exact(k).zip(c_quads.into_remainder()) {
            *out = dot(a_row, b_row);
        }
    }
}

/// The kernel with AVX2 instructions: sixteen i8 of a row widened to i16 (`vpmovsxbw`), then
/// multiplied pairwise and summed into eight i32 lanes (`vpmaddwd`), four rows of `b` at a time.
/// Integer arithmetic: the same results as the portable loops.
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[target_feature(enable = "avx2")]
#[allow(clippy::needless_range_loop)] // r and q index the sums, the rows of a and of b alike
unsafe fn matmul_avx2(a: &[i8], b: &[i8], k: usize, c: &mut [i32]) {
    #[cfg(target_arch = "x86")]
    use std::arch::x86::*;
    #[cfg(target_arch = "x86_64")]
    use std::arch::x86_64::*;
    let n = b.len() / k;
    let blocks = k / 16;
    let horizontal = |v: __m256i| -> i32 {
        let mut lanes = [0i32; 8];
        _mm256_storeu_si256(lanes.as_mut_ptr() as *mut __m256i, v);
        lanes.iter().sum()
    };
    let m = a.len() / k;
    let mut i = 0;
    while i < m {
        // two rows of `a` (or the last one) by four rows of `b`: each load serves several sums
        let pair = (m - i).min(2);
        let mut j = 0;
        while j < n {
            let quad = (n - j).min(4);
            let mut sums = [[_mm256_setzero_si256(); 4]; 2];
            for block in 0..blocks {
                // SAFETY: `block * 16 + 16 <= k`: every load is inside rows i..i+pair of `a` and
                // j..j+quad of `b`.
                let mut x = [_mm256_setzero_si256(); 2];
                for (r, x) in x.iter_mut().enumerate().take(pair) {
                    *x = _mm256_cvtepi8_epi16(_mm_loadu_si128(
                        a.as_ptr().add((i + r) * k + block * 16) as *const __m128i
                    ));
                }
                for q in 0..quad {
                    let y = _mm256_cvtepi8_epi16(_mm_loadu_si128(
                        b.as_ptr().add((j + q) * k + block * 16) as *const __m128i
                    ));
                    for r in 0..pair {
                        sums[r][q] = _mm256_add_epi32(sums[r][q], _mm256_madd_epi16(x[r], y));
                    }
                }
            }
            for r in 0..pair {
                let a_row = &a[(i + r) * k..(i + r + 1) * k];
                for q in 0..quad {
                    let row = &b[(j + q) * k..(j + q + 1) * k];
                    let tail: i32 = (blocks * 16..k).map(|p| i32::from(a_row[p]) * i32::from(row[p])).sum();
                    c[(i + r) * n + j + q] = horizontal(sums[r][q]) + tail;
                }
            }
            j += quad;
        }
        i += pair;
    }
}

/// `Σ a[p]·b[p]` in i32.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
pub fn dot(a: &[i8], b: &[i8]) -> i32 {
    use core::arch::wasm32::*;
    let len = a.len().min(b.len());
    let blocks = len / 16;
    let mut sum = i32x4_splat(0);
    for i in 0..blocks {
        // SAFETY: `i * 16 + 16 <= len`, so both 16-byte loads are inside the slices; v128_load
        // takes unaligned addresses.
        let (x, y) = unsafe {
            (v128_load(a.as_ptr().add(i * 16) as *const v128), v128_load(b.as_ptr().add(i * 16) as *const v128))
        };
        let low = i32x4_dot_i16x8(i16x8_extend_low_i8x16(x), i16x8_extend_low_i8x16(y));
        let high = i32x4_dot_i16x8(i16x8_extend_high_i8x16(x), i16x8_extend_high_i8x16(y));
        sum = i32x4_add(sum, i32x4_add(low, high));
    }
    let mut total = i32x4_extract_lane::<0>(sum)
        + i32x4_extract_lane::<1>(sum)
        + i32x4_extract_lane::<2>(sum)
        + i32x4_extract_lane::<3>(sum);
    for p in blocks * 16..len {
        total += i32::from(a[p]) * i32::from(b[p]);
    }
    total
}

/// `Σ a[p]·b_j[p]` for four rows `b_j` of the same length as `a`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn dot4(a: &[i8], b: [&[i8]; 4]) -> [i32; 4] {
    use core::arch::wasm32::*;
    let len = b.iter().fold(a.len(), |len, row| len.min(row.len()));
    let blocks = len / 16;
    let mut sums = [i32x4_splat(0); 4];
    for i in 0..blocks {
        // SAFETY: `i * 16 + 16 <= len`, inside every slice; v128_load takes unaligned addresses.
        let x = unsafe { v128_load(a.as_ptr().add(i * 16) as *const v128) };
        let (x_low, x_high) = (i16x8_extend_low_i8x16(x), i16x8_extend_high_i8x16(x));
        for (sum, row) in sums.iter_mut().zip(b) {
            let y = unsafe { v128_load(row.as_ptr().add(i * 16) as *const v128) };
            let low = i32x4_dot_i16x8(x_low, i16x8_extend_low_i8x16(y));
            let high = i32x4_dot_i16x8(x_high, i16x8_extend_high_i8x16(y));
            *sum = i32x4_add(*sum, i32x4_add(low, high));
        }
    }
    let mut out = [0i32; 4];
    for ((total, sum), row) in out.iter_mut().zip(sums).zip(b) {
        *total = i32x4_extract_lane::<0>(sum)
            + i32x4_extract_lane::<1>(sum)
            + i32x4_extract_lane::<2>(sum)
            + i32x4_extract_lane::<3>(sum);
        for p in blocks * 16..len {
            *total += i32::from(a[p]) * i32::from(row[p]);
        }
    }
    out
}

/// `Σ a[p]·b_j[p]` for four rows `b_j` of the same length as `a`: eight lanes of partial sums per
/// row, which the compiler keeps in vector registers.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn dot4(a: &[i8], b: [&[i8]; 4]) -> [i32; 4] {
    let len = b.iter().fold(a.len(), |len, row| len.min(row.len()));
    let blocks = len / 8;
    let mut lanes = [[0i32; 8]; 4];
    for i in 0..blocks {
        let x = &a[i * 8..i * 8 + 8];
        for (lane, row) in lanes.iter_mut().zip(b) {
            let y = &row[i * 8..i * 8 + 8];
            for p in 0..8 {
                lane[p] += i32::from(i16::from(x[p]) * i16::from(y[p]));
            }
        }
    }
    let mut out = [0i32; 4];
    for ((total, lane), row) in out.iter_mut().zip(lanes).zip(b) {
        *total = lane.iter().sum::<i32>() + (blocks * 8..len).map(|p| i32::from(a[p]) * i32::from(row[p])).sum::<i32>();
    }
    out
}

/// `Σ a[p]·b[p]` in i32: sixteen lanes of partial sums, which the compiler maps onto vector
/// registers (x86's `pmaddwd` multiplies i16 pairs into i32 as the SIMD128 path does).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
pub fn dot(a: &[i8], b: &[i8]) -> i32 {
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let mut lanes = [0i32; 16];
    let mut blocks_a = a.chunks_exact(16);
    let mut blocks_b = b.chunks_exact(16);
    for (x, y) in (&mut blocks_a).zip(&mut blocks_b) {
        for i in 0..16 {
            lanes[i] += i32::from(i16::from(x[i]) * i16::from(y[i]));
        }
    }
    let tail: i32 =
        blocks_a.remainder().iter().zip(blocks_b.remainder()).map(|(&x, &y)| i32::from(x) * i32::from(y)).sum();
    lanes.iter().sum::<i32>() + tail
}

/// Which kernel runs here: `simd128` (WebAssembly SIMD), `avx2` (x86 with AVX2) or `portable`.
pub fn kernel() -> &'static str {
    if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) {
        return "simd128";
    }
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    if std::is_x86_feature_detected!("avx2") {
        return "avx2";
    }
    "portable"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn naive(a: &[i8], b: &[i8], k: usize) -> Vec<i32> {
        let (m, n) = (a.len() / k, b.len() / k);
        let mut c = vec![0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| i32::from(a[i * k + p]) * i32::from(b[j * k + p])).sum();
            }
        }
        c
    }

    #[test]
    fn the_kernel_is_the_exact_integer_product() {
        let mut rng = Rng::new(7);
        for (m, k, n) in [(1, 1, 1), (3, 15, 2), (5, 16, 7), (4, 33, 9), (2, 257, 3), (1, 64, 256)] {
            let draw = |len: usize, rng: &mut Rng| -> Vec<i8> { (0..len).map(|_| rng.below(255) as i8).collect() };
            let (a, b) = (draw(m * k, &mut rng), draw(n * k, &mut rng));
            let mut c = vec![0; m * n];
            matmul_i8(&a, &b, k, &mut c); // AVX2 where the CPU has it
            assert_eq!(c, naive(&a, &b, k), "{m}×{k}×{n}");
            let mut portable = vec![0; m * n];
            matmul_portable(&a, &b, k, &mut portable);
            assert_eq!(portable, c, "{m}×{k}×{n}");
        }
        // the extremes: −128 never occurs in a quantized tensor (symmetric, ±127), but the
        // kernel is still exact with it
        let a = vec![-128i8; 1024];
        let mut c = vec![0];
        matmul_i8(&a, &a, 1024, &mut c);
        assert_eq!(c[0], 128 * 128 * 1024);
    }
}
