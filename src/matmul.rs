//! The matrix product of every forward and backward pass, `C = A · B` in f32, written out here for
//! two reasons:
//!
//! - **The same bits everywhere.** Each element of `C` is `Σₚ A[i,p]·B[p,j]` summed in the order
//!   p = 0, 1, …, each product rounded and then added. Rust never fuses a multiply and an add, nor
//!   reorders a sum, on its own, so whatever SIMD the compiler picks (SSE or AVX natively, SIMD128
//!   in WebAssembly) the result is the same, and a seed gives the same run in the command line and
//!   in the page. (A BLAS-style kernel picks fused multiply-adds where the CPU has them.)
//! - **Nothing allocated.** No packing buffer: a training step runs in the buffers it was given.
//!
//! `B` needs contiguous rows; `A` and `C` may have any strides (a transposed `C` is how the
//! backward pass writes `dL/dh = dL/dz · Wᵀ` as `W · dL/dzᵀ` without transposing `W`). Tiles of
//! `MR × NR` outputs stay in registers while p runs over the shared dimension, and the compiler
//! vectorises the `NR` columns. [`matmul_bias_into`] also adds a bias to each row and applies
//! ReLU as it stores a tile (the forward pass's `h = max(0, x · W + b)`), with the arithmetic of
//! a separate pass: the sum, then `+ b`, then `max(0, ·)`.

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut2};

use crate::error::{KdError, Result};

/// Rows of `C` per tile.
const MR: usize = 4;
/// Columns of `C` per tile: 16 (two 256-bit registers a row natively, with AVX), or 8 in
/// WebAssembly, whose SIMD128 registers hold 4 lanes: a 4 × 16 tile is 16 accumulators there, all
/// the vector registers a wasm engine has on x86-64, and spilling them cost a third of the
/// product's time; 4 × 8 keeps the accumulators, the row of `B` and the broadcast element of `A`
/// in registers. The tile's shape changes only which outputs are computed together, not any
/// output's sum.
#[cfg(not(target_arch = "wasm32"))]
const NR: usize = 16;
#[cfg(target_arch = "wasm32")]
const NR: usize = 8;

/// `C = A · B`, overwriting `C`. Shapes must agree, and `B` must have contiguous rows.
pub fn matmul_into(a: ArrayView2<f32>, b: ArrayView2<f32>, c: ArrayViewMut2<f32>) -> Result<()> {
    multiply(a, b, None, false, c)
}

/// `C = A · B + bias` (the bias added to every row), then `max(0, ·)` when `relu`, overwriting
/// `C`: each element is `(Σₚ A[i,p]·B[p,j]) + bias[j]` as [`matmul_into`] sums it, the same bits
/// as adding the bias and applying ReLU afterwards.
pub fn matmul_bias_into(
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    bias: ArrayView1<f32>,
    relu: bool,
    c: ArrayViewMut2<f32>,
) -> Result<()> {
    if bias.len() != b.ncols() {
        return Err(KdError::Internal(format!("a bias of {} for {} columns", bias.len(), b.ncols())));
    }
    let bias = bias.as_slice().ok_or_else(|| KdError::Internal("matmul_bias_into needs a contiguous bias".into()))?;
    multiply(a, b, Some(bias), relu, c)
}

fn multiply(
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    bias: Option<&[f32]>,
    relu: bool,
    mut c: ArrayViewMut2<f32>,
) -> Result<()> {
    let (m, k) = a.dim();
    let n = b.ncols();
    if b.nrows() != k || c.dim() != (m, n) {
        return Err(KdError::Internal(format!("cannot multiply {:?} by {:?} into {:?}", a.dim(), b.dim(), c.dim())));
    }
    if m == 0 || n == 0 {
        return Ok(());
    }
    if n > 1 && b.strides()[1] != 1 {
        return Err(KdError::Internal("matmul_into needs B with contiguous rows".into()));
    }
    let operands = Operands {
        a: a.as_ptr(),
        a_row: a.strides()[0],
        a_col: a.strides()[1],
        b: b.as_ptr(),
        b_row: b.strides()[0],
        c: c.as_mut_ptr(),
        c_row: c.strides()[0],
        c_col: if n > 1 { c.strides()[1] } else { 1 },
        bias: bias.map_or(std::ptr::null(), <[f32]>::as_ptr),
        relu,
        m,
        k,
        n,
    };
    // SAFETY: the pointers and strides come from views of the stated shapes, checked above (the
    // bias has `n` elements), and `c` is borrowed mutably for the call (so it does not overlap
    // `a` or `b`).
    unsafe { dispatch(&operands) };
    Ok(())
}

/// Raw views of the three matrices (element strides).
struct Operands {
    a: *const f32,
    a_row: isize,
    a_col: isize,
    b: *const f32,
    b_row: isize,
    c: *mut f32,
    c_row: isize,
    c_col: isize,
    /// `n` values added to each row as it is stored, or null.
    bias: *const f32,
    /// `max(0, ·)` after the bias.
    relu: bool,
    m: usize,
    k: usize,
    n: usize,
}

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
unsafe fn dispatch(o: &Operands) {
    // The same code with 256-bit registers where the CPU has them: the arithmetic is the same
    // (no FMA is enabled), only wider.
    if std::is_x86_feature_detected!("avx") {
        product_avx(o)
    } else {
        product(o)
    }
}

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[target_feature(enable = "avx")]
unsafe fn product_avx(o: &Operands) {
    product(o)
}

#[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
unsafe fn dispatch(o: &Operands) {
    product(o)
}

#[inline(always)]
unsafe fn product(o: &Operands) {
    let mut i = 0;
    while i + MR <= o.m {
        row_block::<MR>(o, i);
        i += MR;
    }
    while i < o.m {
        row_block::<1>(o, i);
        i += 1;
    }
}

/// Rows `i..i + R` of `C`: tiles of `NR` columns, then narrower ones at the right edge.
#[inline(always)]
unsafe fn row_block<const R: usize>(o: &Operands, i: usize) {
    let mut j = 0;
    while j + NR <= o.n {
        tile::<R, NR>(o, i, j);
        j += NR;
    }
    if NR > 8 && j + 8 <= o.n {
        tile::<R, 8>(o, i, j);
        j += 8;
    }
    if j + 4 <= o.n {
        tile::<R, 4>(o, i, j);
        j += 4;
    }
    while j < o.n {
        tile::<R, 1>(o, i, j);
        j += 1;
    }
}

/// The `R × C` outputs at (`i`, `j`), accumulated in registers.
#[inline(always)]
unsafe fn tile<const R: usize, const C: usize>(o: &Operands, i: usize, j: usize) {
    let mut acc = [[0.0f32; C]; R];
    let a = o.a.offset(i as isize * o.a_row);
    let b = o.b.add(j);
    for p in 0..o.k as isize {
        let b_row = b.offset(p * o.b_row);
        let mut bv = [0.0f32; C];
        for (q, v) in bv.iter_mut().enumerate() {
            *v = *b_row.add(q);
        }
        for (r, acc_row) in acc.iter_mut().enumerate() {
            let x = *a.offset(r as isize * o.a_row + p * o.a_col);
            for (s, v) in acc_row.iter_mut().zip(bv) {
                *s += x * v;
            }
        }
    }
    if !o.bias.is_null() {
        for acc_row in acc.iter_mut() {
            for (q, s) in acc_row.iter_mut().enumerate() {
                *s += *o.bias.add(j + q);
            }
        }
    }
    if o.relu {
        for acc_row in acc.iter_mut() {
            for s in acc_row.iter_mut() {
                *s = relu(*s);
            }
        }
    }
    for (r, acc_row) in acc.iter().enumerate() {
        let c_row = o.c.offset((i + r) as isize * o.c_row + j as isize * o.c_col);
        if o.c_col == 1 {
            for (q, &s) in acc_row.iter().enumerate() {
                *c_row.add(q) = s;
            }
        } else {
            for (q, &s) in acc_row.iter().enumerate() {
                *c_row.offset(q as isize * o.c_col) = s;
            }
        }
    }
}

/// `f32::max(v, 0.0)`, bit for bit as it is on each target. In WebAssembly, `max` is a call of
/// libm's `fmaxf` for every element (`f32x4.max` treats NaN otherwise), which made ReLU cost a
/// third of the forward product; fmaxf returns `v` unless it is NaN or below 0, so `-0.0` stays
/// `-0.0` there, and the comparison below has the same bits and vectorises. Natively `max` is one
/// instruction (and turns `-0.0` into `0.0`), so it stays.
#[inline(always)]
pub fn relu(v: f32) -> f32 {
    #[cfg(target_arch = "wasm32")]
    {
        if v >= 0.0 {
            v
        } else {
            0.0
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        v.max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use ndarray::{s, Array1, Array2};

    fn random(rows: usize, cols: usize, rng: &mut Rng) -> Array2<f32> {
        Array2::from_shape_fn((rows, cols), |_| rng.normal() as f32)
    }

    /// The definition: each element summed in order p = 0, 1, … in f32.
    fn reference(a: &Array2<f32>, b: &Array2<f32>) -> Array2<f32> {
        Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| {
            (0..a.ncols()).fold(0.0f32, |s, p| s + a[[i, p]] * b[[p, j]])
        })
    }

    #[test]
    fn equals_the_in_order_sum_bit_for_bit_for_every_shape_and_layout() {
        let mut rng = Rng::new(5);
        for (m, k, n) in
            [(1, 1, 1), (4, 16, 16), (5, 3, 17), (32, 64, 256), (33, 256, 10), (7, 1, 40), (3, 31, 33), (64, 10, 256)]
        {
            let a = random(m, k, &mut rng);
            let b = random(k, n, &mut rng);
            let expected = reference(&a, &b);
            let mut c = Array2::from_elem((m, n), f32::NAN);
            matmul_into(a.view(), b.view(), c.view_mut()).unwrap();
            assert_eq!(c, expected, "{m}×{k}·{k}×{n}");
            // A transposed (a strided view), C a block of a larger matrix
            let at = a.t().to_owned();
            let mut big = Array2::from_elem((m + 3, n + 5), f32::NAN);
            matmul_into(at.t(), b.view(), big.slice_mut(s![1..m + 1, 2..n + 2])).unwrap();
            assert_eq!(big.slice(s![1..m + 1, 2..n + 2]), expected, "{m}×{k}·{k}×{n}, strided");
            // C a transposed view (the backward pass's dL/dh)
            let mut ct = Array2::from_elem((n, m), f32::NAN);
            matmul_into(a.view(), b.view(), ct.view_mut().reversed_axes()).unwrap();
            assert_eq!(ct.t(), expected, "{m}×{k}·{k}×{n}, into a transposed C");
            // the bias and ReLU as they are stored: the bits of separate passes
            let bias = Array1::from_shape_fn(n, |_| rng.normal() as f32);
            for relu in [false, true] {
                let mut separate = expected.clone();
                for mut row in separate.rows_mut() {
                    row += &bias;
                    if relu {
                        row.mapv_inplace(|v| v.max(0.0));
                    }
                }
                let mut fused = Array2::from_elem((m, n), f32::NAN);
                matmul_bias_into(a.view(), b.view(), bias.view(), relu, fused.view_mut()).unwrap();
                assert_eq!(fused, separate, "{m}×{k}·{k}×{n} + bias, relu {relu}");
            }
            // close to f64 arithmetic
            let exact = a.mapv(f64::from).dot(&b.mapv(f64::from));
            let scale = a.mapv(|v| f64::from(v).abs()).dot(&b.mapv(|v| f64::from(v).abs()));
            for ((c, e), s) in c.iter().zip(&exact).zip(&scale) {
                assert!((f64::from(*c) - e).abs() <= 1e-6 * k as f64 * s + 1e-30);
            }
        }
    }

    #[test]
    fn refuses_shapes_that_do_not_agree_and_rows_of_b_that_are_not_contiguous() {
        let a = Array2::<f32>::zeros((2, 3));
        let b = Array2::<f32>::zeros((4, 5));
        assert!(matmul_into(a.view(), b.view(), Array2::zeros((2, 5)).view_mut()).is_err());
        let b = Array2::<f32>::zeros((5, 3));
        assert!(matmul_into(a.view(), b.t(), Array2::zeros((2, 5)).view_mut()).is_err());
        let b = Array2::<f32>::zeros((3, 5));
        assert!(matmul_bias_into(a.view(), b.view(), Array1::zeros(4).view(), true, Array2::zeros((2, 5)).view_mut())
            .is_err());
        let empty = Array2::<f32>::zeros((0, 3));
        assert!(matmul_into(empty.view(), Array2::zeros((3, 4)).view(), Array2::zeros((0, 4)).view_mut()).is_ok());
    }
}
