//! The native half of `cargo xtask bench` (README "Performance"): the reference workload
//! (src/benchmark.rs: 64-256-256-10, Adam, batch 32, 1437 digits samples, 5 epochs) trained by the
//! release build, several times; its median speed in GFLOP/s and its final training loss; and how
//! many heap allocations one training step makes once the buffers exist, counted by a global
//! allocator that counts. Run by `cargo xtask bench`, or alone with
//! `cargo bench --bench speed [-- --repeats N] [-- --json PATH]`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use kd_playground::benchmark::ReferenceWorkload;
use kd_playground::session::{Phase, Session};
use kd_playground::settings::{dataset_defaults, Settings, Value};

/// The system allocator, counting allocations.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const EPOCHS: usize = 5;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Allocations per mini-batch of the playground's session in `phase` on digits, averaged over an
/// epoch's steps after a warm-up epoch (epoch ends evaluate the networks, and allocate for that).
fn session_allocations(phase: Phase) -> f64 {
    let values = dataset_defaults(kd_playground::data::DatasetName::Digits)
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::Text(v.to_string())))
        .collect();
    let mut session = Session::new(Settings::from_values(&values).expect("digits' defaults")).expect("a session");
    if phase == Phase::Distil {
        session.run_phase(Phase::Teacher).expect("the teacher trains");
    }
    session.step_batch().expect("a warm-up step");
    let steps = session.batches_per_epoch().saturating_sub(2).max(1);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..steps {
        session.step_batch().expect("a step");
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / steps as f64
}

/// The f32 and the int8 matrix products (src/matmul.rs, src/compression/int8.rs) on the digits
/// teacher's middle layer over the test split, 451 × 256 · 256 × 256, in multiply-adds per second
/// (median of `repeats`): what the compression bench's int8 rows are made of.
fn products(repeats: usize) -> (f64, f64) {
    use kd_playground::compression::int8::matmul_i8;
    use kd_playground::matmul::matmul_into;
    use ndarray::Array2;
    let (m, k, n) = (451, 256, 256);
    let a = Array2::from_shape_fn((m, k), |(i, p)| ((i * 7 + p * 3) % 17) as f32 / 17.0 - 0.5);
    let b = Array2::from_shape_fn((k, n), |(p, j)| ((p * 5 + j * 11) % 13) as f32 / 13.0 - 0.5);
    let mut c = Array2::zeros((m, n));
    let a8: Vec<i8> = (0..m * k).map(|i| ((i * 7) % 255) as u8 as i8).collect();
    let b8: Vec<i8> = (0..n * k).map(|i| ((i * 13) % 255) as u8 as i8).collect();
    let mut c32 = vec![0i32; m * n];
    let macs = (m * k * n) as f64;
    let reps = 20;
    let mut f32_rates = Vec::new();
    let mut int8_rates = Vec::new();
    for _ in 0..repeats {
        let start = Instant::now();
        for _ in 0..reps {
            matmul_into(a.view(), b.view(), c.view_mut()).expect("the f32 product");
        }
        f32_rates.push(reps as f64 * macs / start.elapsed().as_secs_f64() / 1e9);
        let start = Instant::now();
        for _ in 0..reps {
            matmul_i8(&a8, &b8, k, &mut c32);
        }
        int8_rates.push(reps as f64 * macs / start.elapsed().as_secs_f64() / 1e9);
    }
    std::hint::black_box((&c, &c32));
    (median(&mut f32_rates), median(&mut int8_rates))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value_of = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let repeats: usize = value_of("--repeats").and_then(|v| v.parse().ok()).unwrap_or(7).max(1);

    // Warm-up, then the timed runs, each from seed 0: the same work and the same loss each time.
    let mut warm = ReferenceWorkload::new(0).expect("the workload");
    warm.epoch().expect("an epoch");
    let mut gflops = Vec::new();
    let mut seconds = Vec::new();
    let mut loss = 0.0;
    for _ in 0..repeats {
        let mut workload = ReferenceWorkload::new(0).expect("the workload");
        let start = Instant::now();
        for _ in 0..EPOCHS {
            loss = workload.epoch().expect("an epoch");
        }
        let elapsed = start.elapsed().as_secs_f64();
        seconds.push(elapsed);
        gflops.push(EPOCHS as f64 * workload.flops_per_epoch() / elapsed / 1e9);
    }

    // Allocations per step of the reference workload, once its buffers exist: the training step
    // (src/network.rs, Trainer) and its matrix products (src/matmul.rs) should allocate nothing.
    let mut workload = ReferenceWorkload::new(0).expect("the workload");
    workload.epoch().expect("an epoch");
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    workload.epoch().expect("an epoch");
    let per_step = (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64
        / workload.samples().div_ceil(kd_playground::benchmark::BATCH_SIZE) as f64;
    let teacher_step = session_allocations(Phase::Teacher);
    let student_step = session_allocations(Phase::Distil);

    let (f32_gmacs, int8_gmacs) = products(repeats);
    let median_gflops = median(&mut gflops);
    let median_seconds = median(&mut seconds);
    println!("native reference workload: {EPOCHS} epochs in {median_seconds:.3} s (median of {repeats}): {median_gflops:.1} GFLOP/s, final training loss {loss:.4}");
    println!("allocations per training step: reference workload {per_step:.1}, playground teacher {teacher_step:.1}, playground students {student_step:.1}");
    println!(
        "matrix products, 451×256·256×256: f32 {f32_gmacs:.1} G multiply-adds/s, int8 ({}) {int8_gmacs:.1} G multiply-adds/s",
        kd_playground::compression::int8::kernel()
    );
    let json = format!(
        "{{\"gflops\":{median_gflops:.3},\"seconds\":{median_seconds:.4},\"loss\":{loss},\"repeats\":{repeats},\"allocations_per_step\":{{\"reference\":{per_step:.1},\"teacher\":{teacher_step:.1},\"students\":{student_step:.1}}},\"products\":{{\"f32_gmacs\":{f32_gmacs:.2},\"int8_gmacs\":{int8_gmacs:.2}}}}}"
    );
    match value_of("--json") {
        Some(path) => std::fs::write(&path, json + "\n").unwrap_or_else(|e| panic!("cannot write {path}: {e}")),
        None => println!("{json}"),
    }
}
