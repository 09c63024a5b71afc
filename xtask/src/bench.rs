//! `cargo xtask bench`: the speed benchmark (README "Performance"). A benchmark, not a test:
//! `cargo xtask test` times nothing.
//!
//! 1. native: `cargo bench --bench speed` (benches/speed.rs): the reference workload's GFLOP/s
//!    in a release build, its final loss, and the heap allocations per training step;
//! 2. the wasm build (`cargo xtask build`), served like `cargo xtask serve`;
//! 3. in one headless Chromium (xtask/bench/bench.mjs, with npm's TensorFlow.js 4.22 as a
//!    bench-only dependency in xtask/bench/): the same workload in the crate's wasm and in
//!    TensorFlow.js's wasm and cpu backends; the page's long tasks, UI updates per second and
//!    click latency while it trains, as it is and with the CPU throttled 4×; start-up bytes and
//!    time; redraw time; wasm memory; the default digits run from Play to Done against the native
//!    `kd run` of the same settings (release build).
//!
//! It prints the table, then one JSON line with every figure (each the median of its runs).

use std::path::Path;
use std::process::Command;

use crate::{
    build, cargo, ensure_chromium, ensure_node, npm_install, run_cmd, serve_in_background, target_dir, Result, CHROMIUM,
};

/// Runs per figure unless `--repeats N` says otherwise.
const DEFAULT_REPEATS: u32 = 5;

pub(crate) fn bench_cmd(root: &Path, args: &[String]) -> Result<()> {
    let repeats = match args {
        [] => DEFAULT_REPEATS,
        [flag, n] if flag == "--repeats" => n
            .parse::<u32>()
            .ok()
            .filter(|&n| (1..=50).contains(&n))
            .ok_or_else(|| format!("--repeats takes a whole number from 1 to 50 (got `{n}`)"))?,
        _ => return Err("usage: cargo xtask bench [--repeats N]".into()),
    };
    ensure_node()?;
    ensure_chromium()?;

    println!("\n=== native ===");
    let out_dir = target_dir(root).join("bench");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let native_json = out_dir.join("native.json");
    let _ = std::fs::remove_file(&native_json);
    run_cmd(cargo().args(["bench", "-p", crate::PACKAGE, "--bench", "speed", "--"]).args([
        "--repeats".to_string(),
        (repeats + 2).to_string(),
        "--json".to_string(),
        native_json.display().to_string(),
    ]))?;

    run_cmd(cargo().args(["build", "--release", "--quiet", "-p", crate::PACKAGE, "--bin", "kd"]))?;
    let kd = target_dir(root).join("release").join(format!("kd{}", std::env::consts::EXE_SUFFIX));

    println!("\n=== wasm build ===");
    build(root)?;
    npm_install(&root.join("tests").join("e2e"))?; // playwright-core
    npm_install(&root.join("xtask").join("bench"))?; // TensorFlow.js
    let port = serve_in_background(&root.join("www"))?;
    let url = format!("http://127.0.0.1:{port}/");

    println!("\n=== browser (headless Chromium, {url}) ===");
    run_cmd(
        Command::new("node")
            .arg(root.join("xtask").join("bench").join("bench.mjs"))
            .env("KD_URL", &url)
            .env("KD_NATIVE_JSON", &native_json)
            .env("KD_BENCH_REPEATS", repeats.to_string())
            .env("KD_CLI", &kd)
            .env("CHROMIUM", CHROMIUM),
    )
}
