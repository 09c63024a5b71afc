//! `cargo xtask`: build, serve and test tooling for KD Playground.
//!
//! * `cargo xtask build` — make sure the wasm32 target and the matching `wasm-bindgen` CLI are
//!   installed, build the crate for `wasm32-unknown-unknown` and write the JS bindings to `www/pkg`.
//! * `cargo xtask serve [--port N] [--no-build]` — build, then serve `www/` on 127.0.0.1 with the
//!   small static HTTP/1.1 server below.
//! * `cargo xtask test [lint] [native] [wasm] [e2e]` — rustfmt and clippy, then the native build;
//!   then the native tests, the wasm tests in headless Chromium and the end-to-end tests against
//!   the served page, with the wasm builds they need, side by side from one queue (`pool.rs`);
//!   stops if lint or the native build fails, and ends with each stage's verdict and a table of
//!   each part's wall time.
//! * `cargo xtask bench` — the speed benchmark (`bench.rs`): native, then the wasm build and
//!   TensorFlow.js in headless Chromium, then the page itself; a table and one JSON line.
//! * `cargo xtask fuzz [TARGET...] [--seconds N]` — the parsers' fuzz targets (`fuzz.rs`).
//! * `cargo xtask dist [--out DIR]` — the site as a folder to publish anywhere (`dist.rs`).
//!
//! Std only (but flate2, for dist's gzip copies), so that it compiles in a few seconds on a fresh
//! machine.

use std::env;
use std::ffi::OsStr;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

mod bench;
mod dist;
mod fuzz;
mod heldout;
mod pool;

/// Errors are human-readable messages printed once by `main`.
/// An empty message means the failure has already been reported in full.
pub(crate) type Result<T> = std::result::Result<T, String>;

const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub(crate) const PACKAGE: &str = "kd-playground";
const LIB_NAME: &str = "kd_playground";
/// Used when neither Cargo.lock nor Cargo.toml tells which wasm-bindgen the crate uses.
const FALLBACK_WASM_BINDGEN: &str = "0.2.130";
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const APT_HINT: &str = "apt-get update && apt-get install -y chromium chromium-driver poppler-utils fonts-noto-cjk \
                        firefox-esr webkit2gtk-driver xvfb xauth";
/// What the browser tests need from Debian: a file each package installs, and the package.
/// poppler-utils turns the printed exam answer into text and images (tests/e2e/answer.test.mjs);
/// fonts-noto-cjk makes Korean text real glyphs in screenshots and PDFs, not empty boxes.
/// firefox-esr, and webkit2gtk-driver (WebKitWebDriver, which drives WebKitGTK's MiniBrowser)
/// under xvfb (xvfb-run, which needs xauth), run the page in Gecko and in WebKit
/// (tests/e2e/firefox.test.mjs, tests/e2e/webkit.test.mjs).
const BROWSER_PACKAGES: [(&str, &str); 8] = [
    (CHROMIUM, "chromium"),
    (CHROMEDRIVER, "chromium-driver"),
    ("/usr/bin/pdftotext", "poppler-utils"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "fonts-noto-cjk"),
    ("/usr/bin/firefox-esr", "firefox-esr"),
    ("/usr/bin/WebKitWebDriver", "webkit2gtk-driver"),
    ("/usr/bin/xvfb-run", "xvfb"),
    ("/usr/bin/xauth", "xauth"),
];
const DEFAULT_PORT: u16 = 8000;
/// How many ports after the requested one `serve` tries before giving up.
const PORT_ATTEMPTS: u16 = 50;
/// Upper bound on the size of a request line plus headers.
const MAX_REQUEST_HEAD: u64 = 16 * 1024;

const USAGE: &str = "\
Usage: cargo xtask <command> [options]

Commands:
  build                        build the wasm module and JS bindings into www/pkg
  serve [--port N] [--no-build]
                               build, then serve www/ on http://127.0.0.1:N/
                               (default port 8000, or the next free one)
  dist [--out DIR]             build, then write the site to publish into DIR (default
                               target/dist): hashed engine and digits, gzip copies, relative URLs
  test [lint] [native] [wasm] [e2e]
                               run the test stages (default: all four): lint, the native
                               build, then every test side by side; stops if lint or the build fails
  bench [--repeats N]          the speed benchmark: native, wasm vs TensorFlow.js, the page
                               (a table, then one JSON line; README, Performance)
  fuzz [TARGET...] [--seconds N]
                               run the cargo-fuzz targets in fuzz/ (csv, run_json, settings,
                               cli_args; default all) for N seconds each (default 600)
  heldout                      the experiments on the tuning seeds 0–9 (validation split) and the
                               held-out seeds 10–29 (test split): docs/heldout/, www/heldout.json
  help                         show this message
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("\nxtask: error: {msg}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Moves to the repository root, fixes up PATH and dispatches to a subcommand.
fn run(args: &[String]) -> Result<()> {
    let root = repo_root()?;
    env::set_current_dir(&root).map_err(|e| format!("cannot enter {}: {e}", root.display()))?;
    put_cargo_bin_first_on_path();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => ("help", &[][..]),
    };
    match command {
        "build" => expect_no_args("build", rest).and_then(|()| build(&root)),
        "serve" => serve_cmd(&root, &ServeOptions::parse(rest)?),
        "dist" => dist::dist_cmd(&root, rest),
        "test" => test_cmd(&root, rest),
        "bench" => bench::bench_cmd(&root, rest),
        "fuzz" => fuzz::fuzz_cmd(&root, rest),
        "heldout" => heldout::heldout_cmd(&root, rest),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
}

fn expect_no_args(command: &str, rest: &[String]) -> Result<()> {
    match rest.first() {
        None => Ok(()),
        Some(arg) => Err(format!("`{command}` takes no arguments (got `{arg}`)\n\n{USAGE}")),
    }
}

// ---------------------------------------------------------------------------------------------
// Environment helpers
// ---------------------------------------------------------------------------------------------

/// The workspace root: the parent of this crate's directory. `cargo run` tells the running
/// binary where that is; the path compiled in is only a fallback (a `target/` reused from another
/// checkout would otherwise send us there).
fn repo_root() -> Result<PathBuf> {
    let xtask_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let xtask_dir = xtask_dir.as_path();
    let root = xtask_dir.parent().ok_or_else(|| format!("{} has no parent directory", xtask_dir.display()))?;
    if !root.join("Cargo.toml").is_file() {
        return Err(format!("no Cargo.toml in {}: is xtask inside the workspace?", root.display()));
    }
    Ok(root.to_path_buf())
}

/// Where `cargo install` puts binaries: `$CARGO_HOME/bin`, by default `~/.cargo/bin`.
fn cargo_bin_dir() -> Option<PathBuf> {
    let home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    Some(home.join("bin"))
}

/// Puts the cargo bin directory first on PATH so that a freshly `cargo install`ed
/// wasm-bindgen wins over any other copy. Called once, before any thread is started.
fn put_cargo_bin_first_on_path() {
    let Some(bin) = cargo_bin_dir() else { return };
    let old = env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = env::split_paths(&old).filter(|d| *d != bin).collect();
    dirs.insert(0, bin);
    if let Ok(joined) = env::join_paths(dirs) {
        env::set_var("PATH", joined);
    }
}

/// The cargo that runs us (set by `cargo run`), or `cargo` from PATH.
pub(crate) fn cargo() -> Command {
    Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The directory cargo builds into.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    env::var_os("CARGO_TARGET_DIR").map(|d| root.join(d)).unwrap_or_else(|| root.join("target"))
}

/// Finds an executable file called `name` in PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
}

/// Whether we run as root (`id -u` prints 0).
fn is_root() -> bool {
    capture("id", &["-u"]).as_deref() == Some("0")
}

/// Renders a command as a shell-like line, including the environment it sets.
fn describe(cmd: &Command) -> String {
    let envs = cmd
        .get_envs()
        .filter_map(|(key, value)| value.map(|v| format!("{}={}", key.to_string_lossy(), v.to_string_lossy())));
    let program = std::iter::once(cmd.get_program().to_string_lossy().into_owned());
    let args = cmd.get_args().map(|a| a.to_string_lossy().into_owned());
    envs.chain(program).chain(args).collect::<Vec<_>>().join(" ")
}

/// Runs a command with inherited stdio after echoing it; fails with a message naming it.
pub(crate) fn run_cmd(cmd: &mut Command) -> Result<()> {
    let shown = describe(cmd);
    println!("$ {shown}");
    let status = cmd.status().map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Runs a program quietly and returns its trimmed stdout, or `None` if it is missing or fails.
fn capture(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

// ---------------------------------------------------------------------------------------------
// Prerequisites ("ensure" steps): each is skipped when already satisfied
// ---------------------------------------------------------------------------------------------

/// Makes sure the `wasm32-unknown-unknown` standard library is installed.
fn ensure_wasm_target() -> Result<()> {
    let hint = format!("install it by hand with: rustup target add {WASM_TARGET}");
    match capture("rustup", &["target", "list", "--installed"]) {
        Some(list) if list.lines().any(|l| l.trim() == WASM_TARGET) => {}
        Some(_) => {
            println!("-- installing the Rust target {WASM_TARGET}");
            run_cmd(Command::new("rustup").args(["target", "add", WASM_TARGET]))
                .map_err(|e| format!("{e}\ncould not install the {WASM_TARGET} target; {hint}"))?;
        }
        None if sysroot_has_wasm_target() => {}
        None => return Err(format!("rustup not found and rustc lacks {WASM_TARGET}; {hint}")),
    }
    println!("ok rust target {WASM_TARGET}");
    Ok(())
}

/// For toolchains not managed by rustup: whether the sysroot ships the wasm32 target.
fn sysroot_has_wasm_target() -> bool {
    capture("rustc", &["--print", "sysroot"])
        .map(|sysroot| Path::new(&sysroot).join("lib/rustlib").join(WASM_TARGET).is_dir())
        .unwrap_or(false)
}

/// Makes sure `wasm-bindgen` (and `wasm-bindgen-test-runner`) match the locked version.
fn ensure_wasm_bindgen(root: &Path) -> Result<()> {
    let wanted = wasm_bindgen_version(root);
    let found = installed_wasm_bindgen();
    if found.as_deref() == Some(wanted.as_str()) && on_path("wasm-bindgen-test-runner").is_some() {
        println!("ok wasm-bindgen {wanted}");
        return Ok(());
    }
    let found_text = found.map_or("not installed".to_string(), |v| format!("found {v}"));
    println!("-- installing wasm-bindgen-cli {wanted} ({found_text}; takes a few minutes)");
    let hint = format!("install it by hand with: cargo install wasm-bindgen-cli --version {wanted}");
    // --force: replace a mismatched binary even when cargo did not install it itself.
    run_cmd(cargo().args(["install", "--force", "wasm-bindgen-cli", "--version", &wanted]))
        .map_err(|e| format!("{e}\ncould not install wasm-bindgen-cli; {hint}"))?;
    match installed_wasm_bindgen() {
        Some(v) if v == wanted => {
            println!("ok wasm-bindgen {wanted}");
            Ok(())
        }
        other => Err(format!(
            "after installing, `wasm-bindgen --version` gives {other:?} (from {:?}), not {wanted}; \
             make sure {} comes first on PATH",
            on_path("wasm-bindgen"),
            cargo_bin_dir().unwrap_or_default().display()
        )),
    }
}

/// The version printed by `wasm-bindgen --version` (e.g. "wasm-bindgen 0.2.130").
fn installed_wasm_bindgen() -> Option<String> {
    let text = capture("wasm-bindgen", &["--version"])?;
    text.split_whitespace().nth(1).map(str::to_string)
}

/// The wasm-bindgen version the crate uses: from Cargo.lock, else an exact `=x.y.z`
/// requirement in Cargo.toml, else [`FALLBACK_WASM_BINDGEN`].
fn wasm_bindgen_version(root: &Path) -> String {
    let read = |name: &str| fs::read_to_string(root.join(name)).unwrap_or_default();
    locked_version(&read("Cargo.lock"), "wasm-bindgen")
        .or_else(|| pinned_version(&read("Cargo.toml"), "wasm-bindgen"))
        .unwrap_or_else(|| FALLBACK_WASM_BINDGEN.to_string())
}

/// The `version` of the first `[[package]]` called `package` in a Cargo.lock.
fn locked_version(lock: &str, package: &str) -> Option<String> {
    let mut in_package = false;
    for line in lock.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = false;
        } else if let Some(name) = toml_string(line, "name") {
            in_package = name == package;
        } else if let Some(version) = toml_string(line, "version").filter(|_| in_package) {
            return Some(version);
        }
    }
    None
}

/// The `x.y.z` of a `package = "=x.y.z"` (or `{ version = "=x.y.z", ... }`) line in a manifest.
fn pinned_version(manifest: &str, package: &str) -> Option<String> {
    manifest.lines().map(str::trim).find_map(|line| {
        let rest = line.strip_prefix(package)?.trim_start().strip_prefix('=')?;
        let start = rest.find("\"=")? + 2;
        let end = start + rest[start..].find('"')?;
        Some(rest[start..end].trim().to_string())
    })
}

/// The value of a `key = "value"` TOML line.
fn toml_string(line: &str, key: &str) -> Option<String> {
    let value = line.strip_prefix(key)?.trim_start().strip_prefix('=')?.trim();
    Some(value.strip_prefix('"')?.strip_suffix('"')?.to_string())
}

/// Makes sure Debian's chromium and chromedriver are at /usr/bin, and poppler-utils, the CJK
/// fonts, Firefox ESR, WebKitGTK's WebDriver and Xvfb are installed ([`BROWSER_PACKAGES`]),
/// installing what is missing with apt-get when running as root.
pub(crate) fn ensure_chromium() -> Result<()> {
    let missing = missing_browser_files();
    if missing.is_empty() {
        println!("ok {}", BROWSER_PACKAGES.map(|(_, package)| package).join(" + "));
        return Ok(());
    }
    let what = missing.join(" and ");
    if !is_root() || on_path("apt-get").is_none() {
        return Err(format!(
            "{what} not found and they can only be installed automatically as root on a \
             system with apt-get; install them by hand with: sudo sh -c '{APT_HINT}'"
        ));
    }
    println!("-- installing {what} with apt-get");
    apt_install_chromium(&missing).map_err(|e| format!("{e}\ncould not install {what}; try: {APT_HINT}"))?;
    match missing_browser_files().as_slice() {
        [] => {
            println!("ok {}", BROWSER_PACKAGES.map(|(_, package)| package).join(" + "));
            Ok(())
        }
        still => Err(format!("apt-get finished but {} is still missing", still.join(" and "))),
    }
}

/// The packages of [`BROWSER_PACKAGES`] whose file is absent.
fn missing_browser_files() -> Vec<&'static str> {
    BROWSER_PACKAGES.into_iter().filter(|(file, _)| !Path::new(file).exists()).map(|(_, package)| package).collect()
}

/// `apt-get update && apt-get install -y PACKAGES…`, non-interactively.
fn apt_install_chromium(packages: &[&str]) -> Result<()> {
    let apt = || {
        let mut cmd = Command::new("apt-get");
        cmd.env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run_cmd(apt().arg("update"))?;
    run_cmd(apt().args(["install", "-y"]).args(packages))
}

/// Makes sure `node` and `npm` can be run.
pub(crate) fn ensure_node() -> Result<()> {
    for tool in ["node", "npm"] {
        match capture(tool, &["--version"]) {
            Some(version) => println!("ok {tool} {version}"),
            None => {
                return Err(format!(
                    "`{tool}` not found: the end-to-end tests need Node.js 18+ and npm \
                     (e.g. apt-get install -y nodejs npm, or https://nodejs.org)"
                ))
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// build
// ---------------------------------------------------------------------------------------------

/// Builds the crate for wasm32 and generates the JS bindings into `www/pkg`.
pub(crate) fn build(root: &Path) -> Result<()> {
    ensure_wasm_target()?;
    ensure_wasm_bindgen(root)?;
    warn_about_rustflags();
    run_cmd(cargo().args(["build", "--release", "--target", WASM_TARGET, "--lib", "-p", PACKAGE]))?;
    let wasm = target_dir(root).join(WASM_TARGET).join("release").join(format!("{LIB_NAME}.wasm"));
    let wasm = wasm.strip_prefix(root).unwrap_or(&wasm).to_path_buf(); // shorter logs
    let out_dir = Path::new("www").join("pkg");
    run_cmd(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--out-dir"])
            .arg(&out_dir)
            .args(["--remove-name-section", "--remove-producers-section"])
            .arg(&wasm),
    )?;
    // The data set the page fetches only when it is chosen (src/data/builtin.rs).
    let digits = root.join("src").join("data").join("digits.csv");
    fs::copy(&digits, root.join(&out_dir).join("digits.csv"))
        .map_err(|e| format!("cannot copy {} to {}: {e}", digits.display(), out_dir.display()))?;
    // The service worker's list of every file the site serves (www/sw.js, dist.rs).
    dist::write_precache(&root.join("www"))?;
    print_sizes(&wasm, &out_dir);
    Ok(())
}

/// A RUSTFLAGS variable replaces the `+simd128` flags from .cargo/config.toml instead of adding.
fn warn_about_rustflags() {
    if let Ok(flags) = env::var("RUSTFLAGS") {
        if !flags.contains("simd128") {
            println!(
                "warning: RUSTFLAGS is set ({flags:?}); it replaces the rustflags in \
                 .cargo/config.toml, so the wasm build loses `-C target-feature=+simd128`"
            );
        }
    }
}

/// Prints the size of the raw module and of every generated file (gzip size for .wasm).
fn print_sizes(raw_wasm: &Path, out_dir: &Path) {
    println!("sizes:");
    print_size(raw_wasm);
    let mut files: Vec<PathBuf> = fs::read_dir(out_dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files.iter().filter(|f| f.is_file()).for_each(|f| print_size(f));
}

/// One line of [`print_sizes`].
fn print_size(file: &Path) {
    let Ok(meta) = fs::metadata(file) else { return };
    let shown = file.strip_prefix(env::current_dir().unwrap_or_default()).unwrap_or(file);
    let gzip = match file.extension() == Some(OsStr::new("wasm")) {
        true => gzip_size(file).map(|g| format!("  ({} gzip)", kib(g))).unwrap_or_default(),
        false => String::new(),
    };
    println!("  {:>10}  {}{gzip}", kib(meta.len()), shown.display());
}

/// Compressed size via the `gzip` program, if it is installed.
fn gzip_size(file: &Path) -> Option<u64> {
    let output = Command::new("gzip").arg("-9c").arg(file).output().ok()?;
    output.status.success().then_some(output.stdout.len() as u64)
}

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

// ---------------------------------------------------------------------------------------------
// serve: a small static HTTP/1.1 server
// ---------------------------------------------------------------------------------------------

/// Options of `cargo xtask serve`.
#[derive(Debug, PartialEq)]
struct ServeOptions {
    port: u16,
    build: bool,
    /// Hidden option: serve another directory instead of `www/` (for trying the server alone).
    dir: Option<PathBuf>,
}

impl ServeOptions {
    /// Parses `[--port N] [--no-build] [--dir PATH]` (also `--port=N`, `--dir=PATH`).
    fn parse(args: &[String]) -> Result<Self> {
        let mut opts = ServeOptions { port: DEFAULT_PORT, build: true, dir: None };
        let mut args = args.iter().flat_map(|a| split_equals(a));
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--no-build" => opts.build = false,
                "--port" => opts.port = parse_port(args.next())?,
                "--dir" => opts.dir = Some(args.next().ok_or("--dir needs a path")?.into()),
                other => return Err(format!("unknown serve option `{other}`\n\n{USAGE}")),
            }
        }
        Ok(opts)
    }
}

/// Splits `--key=value` into `--key`, `value`.
fn split_equals(arg: &str) -> Vec<String> {
    match arg.split_once('=') {
        Some((key, value)) if key.starts_with("--") => vec![key.into(), value.into()],
        _ => vec![arg.into()],
    }
}

fn parse_port(value: Option<String>) -> Result<u16> {
    let value = value.ok_or("--port needs a number")?;
    value.parse().map_err(|_| format!("--port: `{value}` is not a port number"))
}

/// `cargo xtask serve`: build (unless `--no-build`), then serve until interrupted.
fn serve_cmd(root: &Path, opts: &ServeOptions) -> Result<()> {
    if opts.build {
        build(root)?;
    }
    let dir = site_root(&opts.dir.clone().unwrap_or_else(|| root.join("www")))?;
    if !dir.join("index.html").is_file() {
        println!("warning: {} has no index.html", dir.display());
    }
    let listener = bind_from(opts.port)?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    if port != opts.port {
        println!("port {} is busy, using {port}", opts.port);
    }
    println!("\nKD Playground: http://127.0.0.1:{port}/\n");
    println!("serving {} (Ctrl+C to stop)", dir.display());
    serve_forever(listener, dir, true);
    Ok(())
}

/// The canonical form of the directory to serve (so that containment checks are exact).
fn site_root(dir: &Path) -> Result<PathBuf> {
    fs::canonicalize(dir).map_err(|e| format!("cannot serve {}: {e}", dir.display()))
}

/// Binds 127.0.0.1 on `first`, or on the next free port.
fn bind_from(first: u16) -> Result<TcpListener> {
    (first..=first.saturating_add(PORT_ATTEMPTS))
        .find_map(|port| TcpListener::bind((Ipv4Addr::LOCALHOST, port)).ok())
        .ok_or_else(|| format!("no free port in {first}..={}", first.saturating_add(PORT_ATTEMPTS)))
}

/// Starts the server on a free port in a background thread and returns the port.
pub(crate) fn serve_in_background(dir: &Path) -> Result<u16> {
    let dir = site_root(dir)?;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| format!("cannot open a local port for the test server: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    thread::spawn(move || serve_forever(listener, dir, false));
    Ok(port)
}

/// Accepts connections forever, one thread each. `log_all` logs every request;
/// otherwise only errors (status >= 400) are logged.
fn serve_forever(listener: TcpListener, dir: PathBuf, log_all: bool) {
    let dir: Arc<Path> = Arc::from(dir);
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                let dir = Arc::clone(&dir);
                thread::spawn(move || handle_connection(stream, &dir, log_all));
            }
            Err(e) => eprintln!("server: accept failed: {e}"),
        }
    }
}

/// A parsed request line.
#[derive(Debug)]
struct Request {
    method: String,
    target: String,
}

/// A complete response; the connection is closed after it.
#[derive(Debug)]
struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    /// One extra header (`Location`, `Allow`), if any.
    extra_header: Option<(&'static str, String)>,
    head_only: bool,
}

impl Response {
    /// A plain-text response, e.g. for errors.
    fn text(status: u16) -> Response {
        let body = format!("{} {}\n", status, reason(status)).into_bytes();
        Response { status, content_type: "text/plain; charset=utf-8", body, extra_header: None, head_only: false }
    }

    /// Writes status line, headers and (except for HEAD) the body.
    fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len()
        );
        if let Some((name, value)) = &self.extra_header {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        out.write_all(head.as_bytes())?;
        if !self.head_only {
            out.write_all(&self.body)?;
        }
        out.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    }
}

/// Reads one request, answers it and closes the connection.
fn handle_connection(mut stream: TcpStream, dir: &Path, log_all: bool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(15)));
    let (line, response) = match read_request(&stream) {
        Ok(Some(req)) => (format!("{} {}", req.method, req.target), respond(&req, dir)),
        Ok(None) => return, // connection opened and closed without a request
        Err(e) => (format!("malformed request ({e})"), Response::text(400)),
    };
    if log_all || response.status >= 400 {
        println!("server: {line} -> {}", response.status);
    }
    let _ = response.write_to(&mut stream);
}

/// Reads the request line and skips the headers; `None` when the client sent nothing.
fn read_request(stream: &TcpStream) -> io::Result<Option<Request>> {
    let mut reader = BufReader::new(stream.take(MAX_REQUEST_HEAD));
    let mut first = String::new();
    if reader.read_line(&mut first)? == 0 {
        return Ok(None);
    }
    let mut header = String::new();
    while reader.read_line(&mut header)? > 0 && !header.trim().is_empty() {
        header.clear();
    }
    parse_request_line(&first).map(Some)
}

/// Parses `METHOD TARGET HTTP/1.x`.
fn parse_request_line(line: &str) -> io::Result<Request> {
    let mut parts = line.split_whitespace();
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(method), Some(target), Some(version), None) if version.starts_with("HTTP/1.") => {
            Ok(Request { method: method.to_string(), target: target.to_string() })
        }
        _ => Err(io::Error::new(io::ErrorKind::InvalidData, "bad request line")),
    }
}

/// Builds the response for a GET or HEAD request.
fn respond(req: &Request, dir: &Path) -> Response {
    let head_only = match req.method.as_str() {
        "GET" => false,
        "HEAD" => true,
        _ => {
            let mut response = Response::text(405);
            response.extra_header = Some(("Allow", "GET, HEAD".to_string()));
            return response;
        }
    };
    let mut response = match resolve(dir, &req.target) {
        // the service worker's list as the files are now (dist.rs): an edited file is a new version at once
        Resolved::File(path) if path == dir.join(dist::PRECACHE) => match dist::live_precache(dir) {
            Ok(body) => {
                Response { status: 200, content_type: mime_type(&path), body, extra_header: None, head_only: false }
            }
            Err(_) => Response::text(500),
        },
        Resolved::File(path) => file_response(&path),
        Resolved::Redirect(location) => {
            let mut response = Response::text(301);
            response.extra_header = Some(("Location", location));
            response
        }
        Resolved::NotFound => Response::text(404),
    };
    response.head_only = head_only;
    response
}

/// Reads a file into a 200 response (404 if it vanished or cannot be read).
fn file_response(path: &Path) -> Response {
    match fs::read(path) {
        Ok(body) => Response { status: 200, content_type: mime_type(path), body, extra_header: None, head_only: false },
        Err(_) => Response::text(404),
    }
}

/// What a request target maps to.
#[derive(Debug, PartialEq)]
enum Resolved {
    File(PathBuf),
    /// A directory asked for without the trailing slash: redirect so relative URLs work.
    Redirect(String),
    NotFound,
}

/// Maps a request target onto a file inside `dir` (which must be canonical).
/// Anything outside `dir` (`..`, encoded `..`, symlinks leading out) is "not found".
fn resolve(dir: &Path, target: &str) -> Resolved {
    let Some(path) = target.split(['?', '#']).next().and_then(|p| p.strip_prefix('/')) else {
        return Resolved::NotFound;
    };
    let Some(mut file) = decode_path(path).and_then(|decoded| join_safely(dir, &decoded)) else {
        return Resolved::NotFound;
    };
    if file.is_dir() {
        if !path.is_empty() && !path.ends_with('/') {
            return Resolved::Redirect(format!("/{path}/"));
        }
        file.push("index.html");
    }
    match fs::canonicalize(&file) {
        Ok(real) if real.starts_with(dir) && real.is_file() => Resolved::File(real),
        _ => Resolved::NotFound,
    }
}

/// Appends the `/`-separated segments of `path` to `dir`, refusing `..`, `\` and NUL.
fn join_safely(dir: &Path, path: &str) -> Option<PathBuf> {
    let mut file = dir.to_path_buf();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s if s.contains(['\\', '\0']) => return None,
            s => file.push(s),
        }
    }
    Some(file)
}

/// Decodes `%XX` escapes; `None` for a malformed escape or a result that is not UTF-8.
fn decode_path(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type for a file, by extension.
fn mime_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(OsStr::to_str).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "csv" => "text/csv; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "ts" => "text/plain; charset=utf-8", // wasm-bindgen's .d.ts files
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

// ---------------------------------------------------------------------------------------------
// test
// ---------------------------------------------------------------------------------------------

/// The test stages, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stage {
    Lint,
    Native,
    Wasm,
    E2e,
}

impl Stage {
    const ALL: [Stage; 4] = [Stage::Lint, Stage::Native, Stage::Wasm, Stage::E2e];

    fn name(self) -> &'static str {
        match self {
            Stage::Lint => "lint",
            Stage::Native => "native",
            Stage::Wasm => "wasm",
            Stage::E2e => "e2e",
        }
    }

    fn plan(self) -> &'static str {
        match self {
            Stage::Lint => {
                "cargo fmt --check; clippy -D warnings on every target, natively and for wasm32 (in the native \
                 and wasm tests' builds when those stages run: see `Lints`)"
            }
            Stage::Native => {
                "cargo test --workspace, built once (then the doc tests); its test binaries run side by side \
                 with the wasm and e2e stages"
            }
            Stage::Wasm => {
                "cargo test --profile wasm-test --target wasm32-unknown-unknown --test web (headless Chromium)"
            }
            Stage::E2e => {
                "build the site, serve www/ on a free port, node --test on each tests/e2e/*.test.mjs \
                 (Chromium, Firefox, WebKit)"
            }
        }
    }
}

/// What the stages of one `cargo xtask test` hand on to each other, and the wall time of each part.
#[derive(Default)]
struct TestRun {
    /// The native `kd` the native stage built (for tests/e2e/determinism.test.mjs).
    kd: Option<PathBuf>,
    /// The native test binaries the native stage built, to run side by side with the rest.
    native_tests: Vec<TestBinary>,
    /// (part of the run, wall time), in the order the parts ran.
    times: Vec<(String, Duration)>,
    /// Where clippy runs.
    lints: Lints,
}

/// Where the lint stage's clippy runs. The native and wasm tests' builds compile every target clippy
/// checks, so when those stages run too, clippy lints the code in their builds (`clippy-driver` as
/// cargo's workspace wrapper, as `cargo clippy` itself runs it, with `-D warnings`): one compile of
/// each crate instead of a check and a build. Otherwise `cargo clippy` runs on its own.
#[derive(Default)]
struct Lints {
    /// `RUSTC_WORKSPACE_WRAPPER` and `CLIPPY_ARGS` for a build that lints, when the lint stage runs.
    driver: Option<PathBuf>,
    in_native_build: bool,
    in_wasm_build: bool,
}

/// `-D warnings`, as cargo-clippy hands its arguments to clippy-driver: each followed by this mark.
const CLIPPY_ARGS: &str = "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__";

impl Lints {
    /// Makes `cmd` (a cargo build of this workspace) lint what it compiles, if `on`, as `cargo clippy
    /// -- -D warnings` would. Only the workspace's crates are linted; the dependencies compile as ever.
    fn apply(&self, cmd: &mut Command, on: bool) {
        if let (Some(driver), true) = (&self.driver, on) {
            cmd.env("RUSTC_WORKSPACE_WRAPPER", driver).env("CLIPPY_ARGS", CLIPPY_ARGS);
        }
    }
}

/// The toolchain's `clippy-driver` (next to its rustc, as cargo-clippy finds it), once it has shown
/// that it fails a lint given `-D warnings` as the builds give it: `CLIPPY_ARGS` is how cargo-clippy
/// talks to it, not a promise, and were it to change, the builds would pass any lint unsaid.
fn clippy_driver(root: &Path) -> Result<PathBuf> {
    let sysroot = capture("rustc", &["--print", "sysroot"]).ok_or("`rustc --print sysroot` failed")?;
    let driver = Path::new(sysroot.trim()).join("bin").join(format!("clippy-driver{}", env::consts::EXE_SUFFIX));
    if !driver.is_file() {
        return Err(format!("{} is missing; install it with: rustup component add clippy", driver.display()));
    }
    let dir = target_dir(root).join("xtask-clippy-canary");
    let canary = dir.join("canary.rs");
    fs::create_dir_all(&dir)
        .and_then(|()| fs::write(&canary, "pub fn empty(v: &[u8]) -> bool {\n    v.len() == 0\n}\n"))
        .map_err(|e| format!("cannot write {}: {e}", canary.display()))?;
    let output = Command::new(&driver)
        .args(["--edition", "2021", "--crate-type", "lib", "--emit", "metadata", "--out-dir"])
        .arg(&dir)
        .arg(&canary)
        .env("CLIPPY_ARGS", CLIPPY_ARGS)
        .output()
        .map_err(|e| format!("could not start {}: {e}", driver.display()))?;
    let said = String::from_utf8_lossy(&output.stderr);
    if output.status.success() || !said.contains("len_zero") {
        return Err(format!(
            "{} did not fail clippy::len_zero with CLIPPY_ARGS={CLIPPY_ARGS}, so the builds could not lint; \
             run `cargo clippy` by hand ({}):\n{said}",
            driver.display(),
            output.status
        ));
    }
    Ok(driver)
}

impl TestRun {
    /// Records that `part` took the time since `started`.
    fn mark(&mut self, part: &str, started: Instant) {
        self.times.push((part.to_string(), started.elapsed()));
    }
}

/// `cargo xtask test [stage...]`: the lint stage, then the native build, each in turn; then every
/// test of the native, wasm and e2e stages (and the builds the later two need) side by side, from
/// one queue (`pool.rs`). Stops if lint or the native build fails; prints each stage's verdict and how
/// long each part took.
fn test_cmd(root: &Path, args: &[String]) -> Result<()> {
    let stages = parse_stages(args)?;
    println!("xtask test plan:");
    for (i, stage) in stages.iter().enumerate() {
        println!("  {}. {:<6} {}", i + 1, stage.name(), stage.plan());
    }
    // On CI (a clean clone, built once) incremental compilation only costs: it writes the caches that
    // a later rebuild would use (the native test build took 69 s without them against 74 s with them).
    // Nor do a crate's 16 codegen units (the default without incremental) pay there: they let one crate
    // use both cores, but the builds keep both busy anyway, and one unit took 9% less CPU in all.
    if env::var_os("CI").is_some() && env::var_os("CARGO_INCREMENTAL").is_none() {
        println!("CI: CARGO_INCREMENTAL=0 (nothing is rebuilt in a clean clone)");
        env::set_var("CARGO_INCREMENTAL", "0");
        if env::var_os("CARGO_PROFILE_DEV_CODEGEN_UNITS").is_none() {
            println!("CI: CARGO_PROFILE_DEV_CODEGEN_UNITS=1 (the test builds; the site's release build has 1 already)");
            env::set_var("CARGO_PROFILE_DEV_CODEGEN_UNITS", "1");
        }
    }
    let started = Instant::now();
    let mut run = TestRun::default();
    let mut states: Vec<(Stage, StageState)> = stages.iter().map(|&s| (s, StageState::Skipped)).collect();
    let fail = |states: &mut Vec<(Stage, StageState)>, stage: Stage, e: String, run: &TestRun| {
        eprintln!("\nxtask test: the {} stage FAILED: {e}", stage.name());
        set_state(states, stage, StageState::Failed);
        print_summary(states);
        print_times(&run.times, started.elapsed());
        Err(String::new())
    };
    if stages.contains(&Stage::Lint) {
        println!("\n=== lint tests ===");
        let stage_started = Instant::now();
        let result = test_lint(root, &stages, &mut run.lints);
        run.mark("lint", stage_started);
        if let Err(e) = result {
            return fail(&mut states, Stage::Lint, e, &run);
        }
        if run.lints.in_native_build || run.lints.in_wasm_build {
            println!("=== lint tests: rustfmt ok ({:.1?}); clippy runs in the builds ===", stage_started.elapsed());
        } else {
            set_state(&mut states, Stage::Lint, StageState::Ok);
            println!("=== lint tests ok ({:.1?}) ===", stage_started.elapsed());
        }
    }
    if stages.contains(&Stage::Native) {
        println!("\n=== native tests: the build ===");
        if let Err(e) = build_native(root, &mut run) {
            if run.lints.in_native_build {
                set_state(&mut states, Stage::Lint, StageState::Failed);
                return fail(&mut states, Stage::Native, format!("{e} (the build runs clippy's lints too)"), &run);
            }
            return fail(&mut states, Stage::Native, e, &run);
        }
        if run.lints.in_native_build && !run.lints.in_wasm_build {
            set_state(&mut states, Stage::Lint, StageState::Ok);
        }
    }
    let later: Vec<Stage> = stages.iter().copied().filter(|s| *s != Stage::Lint).collect();
    if !later.is_empty() {
        let names: Vec<&str> = later.iter().map(|s| s.name()).collect();
        println!("\n=== {} tests, side by side ===", names.join(", "));
        let (outcome, wasm_build_ok) = test_side_by_side(root, &later, &mut run);
        if run.lints.in_wasm_build {
            // the native build's lints passed, or the run would have stopped there
            let state = if wasm_build_ok { StageState::Ok } else { StageState::Failed };
            set_state(&mut states, Stage::Lint, state);
            if !wasm_build_ok {
                eprintln!("\nxtask test: the lint stage FAILED: the wasm tests' build, which runs clippy's lints for wasm32, failed or did not run");
            }
        }
        for (stage, result) in &outcome {
            match result {
                Ok(()) => {
                    set_state(&mut states, *stage, StageState::Ok);
                    println!("=== {} tests ok ===", stage.name());
                }
                Err(e) => {
                    set_state(&mut states, *stage, StageState::Failed);
                    eprintln!("\nxtask test: the {} stage FAILED: {e}", stage.name());
                }
            }
        }
        if outcome.iter().any(|(_, result)| result.is_err()) || states.iter().any(|(_, st)| *st == StageState::Failed) {
            print_summary(&states);
            print_times(&run.times, started.elapsed());
            return Err(String::new());
        }
    }
    print_summary(&states);
    print_times(&run.times, started.elapsed());
    Ok(())
}

/// How a stage of `cargo xtask test` ended.
#[derive(Clone, Copy, Debug, PartialEq)]
enum StageState {
    Ok,
    Failed,
    Skipped,
}

fn set_state(states: &mut [(Stage, StageState)], stage: Stage, state: StageState) {
    for (s, st) in states.iter_mut() {
        if *s == stage {
            *st = state;
        }
    }
}

/// Which stages to run: the named ones (in canonical order), or all.
fn parse_stages(args: &[String]) -> Result<Vec<Stage>> {
    for arg in args {
        if !Stage::ALL.iter().any(|s| s.name() == arg) {
            return Err(format!("unknown test stage `{arg}` (expected lint, native, wasm or e2e)"));
        }
    }
    let wanted = |s: &Stage| args.is_empty() || args.iter().any(|a| a == s.name());
    Ok(Stage::ALL.into_iter().filter(wanted).collect())
}

/// Prints `xtask test: native ok, wasm FAILED, e2e skipped` and `N passed, M failed`.
fn print_summary(states: &[(Stage, StageState)]) {
    let word = |state: StageState| match state {
        StageState::Ok => "ok",
        StageState::Failed => "FAILED",
        StageState::Skipped => "skipped",
    };
    let shown: Vec<String> = states.iter().map(|(stage, state)| format!("{} {}", stage.name(), word(*state))).collect();
    println!("\nxtask test: {}", shown.join(", "));
    let count = |wanted: StageState| states.iter().filter(|(_, state)| *state == wanted).count();
    println!("{} passed, {} failed", count(StageState::Ok), count(StageState::Failed));
}

/// The table of the parts' wall times and the whole run's.
fn times_table(times: &[(String, Duration)], total: Duration) -> String {
    let width = times.iter().map(|(part, _)| part.chars().count()).max().unwrap_or(0).max("stage".len());
    let mut table = format!("{:<width$}  {:>7}\n", "stage", "seconds");
    for (part, took) in times {
        table += &format!("{part:<width$}  {:>7.1}\n", took.as_secs_f64());
    }
    table + &format!("{:<width$}  {:>7.1}\n", "total", total.as_secs_f64())
}

fn print_times(times: &[(String, Duration)], total: Duration) {
    println!("\nstage times (wall clock; `∥` ran side by side):\n{}", times_table(times, total));
}

/// Where `cargo xtask test` writes each side-by-side job's output (`pool.rs`).
fn test_logs(root: &Path) -> PathBuf {
    target_dir(root).join("xtask-test-logs")
}

/// The first stage: the code is formatted as `cargo fmt` formats it (the fuzz crate too), and clippy finds
/// nothing, with warnings as errors, in any target: natively, and in the WebAssembly build (the JS boundary
/// and the browser tests compile only there; the binaries too, since `cargo test` builds them for wasm).
/// Clippy runs here only for what no later stage of `stages` builds ([`Lints`]).
fn test_lint(root: &Path, stages: &[Stage], lints: &mut Lints) -> Result<()> {
    ensure_components(&["rustfmt", "clippy"])?;
    run_cmd(cargo().args(["fmt", "--all", "--", "--check"]))?;
    let fuzz = root.join("fuzz").join("Cargo.toml");
    run_cmd(cargo().arg("fmt").arg("--manifest-path").arg(&fuzz).args(["--", "--check"]))?;
    lints.driver = Some(clippy_driver(root)?);
    lints.in_native_build = stages.contains(&Stage::Native);
    lints.in_wasm_build = stages.contains(&Stage::Wasm);
    if lints.in_native_build {
        println!("-- clippy -D warnings lints every native target in the native tests' build");
    } else {
        run_cmd(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    }
    if lints.in_wasm_build {
        println!("-- clippy -D warnings lints the wasm32 targets in the wasm tests' build");
        return Ok(());
    }
    ensure_wasm_target()?;
    run_cmd(cargo().args([
        "clippy",
        "-p",
        PACKAGE,
        "--target",
        WASM_TARGET,
        "--lib",
        "--bins",
        "--test",
        "web",
        "--",
        "-D",
        "warnings",
    ]))
}

/// Makes sure the rustup components `names` (e.g. clippy) are installed.
fn ensure_components(names: &[&str]) -> Result<()> {
    let installed = capture("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    for name in names {
        if installed.lines().any(|l| l.trim().starts_with(&format!("{name}-")) || l.trim() == *name) {
            continue;
        }
        println!("-- installing the Rust component {name}");
        run_cmd(Command::new("rustup").args(["component", "add", name])).map_err(|e| {
            format!(
                "{e}
could not install {name}; install it by hand with: rustup component add {name}"
            )
        })?;
    }
    Ok(())
}

/// A test binary of the native build: where its source is, the file to run, and where to run it.
#[derive(Debug, PartialEq)]
struct TestBinary {
    /// The source of the test target, relative to the repository root (e.g. `tests/cli.rs`).
    source: String,
    executable: PathBuf,
    /// The directory of its package's Cargo.toml: cargo runs tests there.
    package_dir: PathBuf,
}

/// What `cargo test --no-run` built: the test binaries, and the `kd` binary.
#[derive(Debug, Default, PartialEq)]
struct NativeBuild {
    tests: Vec<TestBinary>,
    kd: Option<PathBuf>,
}

/// Reads cargo's `--message-format=json` lines: every artifact built in the test profile with an
/// executable is a test binary; the `kd` binary is the one the e2e tests run.
fn parse_native_build(root: &Path, json_lines: &str) -> NativeBuild {
    let mut build = NativeBuild::default();
    for line in json_lines.lines().filter(|l| l.contains(r#""reason":"compiler-artifact""#)) {
        let Some(executable) = json_string(line, "executable") else { continue };
        if line.contains(r#""kind":["bench"]"#) {
            continue; // built (and linted) with `--all-targets`; `cargo xtask bench` runs it
        }
        // the profile object is flat: its "test" is the first after "profile"
        let is_test = line
            .split_once(r#""profile":{"#)
            .is_some_and(|(_, p)| p.split('}').next().unwrap_or("").contains(r#""test":true"#));
        if is_test {
            let source = json_string(line, "src_path").unwrap_or_default();
            let source =
                Path::new(&source).strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| source.clone().into());
            let manifest =
                json_string(line, "manifest_path").map(PathBuf::from).unwrap_or_else(|| root.join("Cargo.toml"));
            let package_dir = manifest.parent().map_or_else(|| root.to_path_buf(), Path::to_path_buf);
            build.tests.push(TestBinary {
                source: source.display().to_string(),
                executable: executable.into(),
                package_dir,
            });
        } else if Path::new(&executable).file_stem() == Some(OsStr::new("kd")) {
            build.kd = Some(executable.into());
        }
    }
    build
}

/// The value of `"key":"…"` in one line of JSON (with `\"` and `\\` unescaped), or `None`.
fn json_string(line: &str, key: &str) -> Option<String> {
    let start = line.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let mut value = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(value),
            '\\' => value.push(match chars.next()? {
                'n' => '\n',
                't' => '\t',
                other => other,
            }),
            c => value.push(c),
        }
    }
    None
}

/// The native stage's build: `cargo test --workspace --no-run` (its test binaries, and `kd`), then
/// the doc tests. The test binaries run later, side by side with the rest.
fn build_native(root: &Path, run: &mut TestRun) -> Result<()> {
    let started = Instant::now();
    let built = build_native_tests(root, &run.lints);
    run.mark("native: build", started);
    let built = built?;
    run.kd = built.kd;
    run.native_tests = built.tests;
    let started = Instant::now();
    let mut doc = cargo();
    doc.args(["test", "--workspace", "--doc"]);
    run.lints.apply(&mut doc, run.lints.in_native_build); // the same build of the library, not another
    let doc = run_cmd(&mut doc);
    run.mark("native: doc tests", started);
    doc
}

/// The jobs of `test_side_by_side` that build what others need.
const SITE_BUILD: &str = "the site's build (www/pkg, for the e2e tests)";
const WASM_TEST_BUILD: &str = "the wasm tests' build";
const KD_BUILD: &str = "the native kd (for the e2e tests)";
const NPM_INSTALL: &str = "the e2e tests' npm packages";

/// The native test binaries, the wasm tests (`tests/web.rs` in headless Chromium, through
/// wasm-bindgen-test-runner) and the e2e test files (`node --test` on each `tests/e2e/*.test.mjs`
/// against `www/` served in-process), with the builds they need, from one queue (`pool.rs`): each
/// job starts as soon as what it needs is built and the cores have room. A test binary runs from
/// its package's directory, as cargo runs it; each e2e file's browsers, servers, folders and
/// screenshots are its own. The cargo builds run one after another (they share `target/` and its
/// lock), the site's first, since most of the queue needs it; then the native test binaries, then
/// the e2e files, the most test code first ([`e2e_test_files`]). Returns how each of `stages` ended.
fn test_side_by_side(root: &Path, stages: &[Stage], run: &mut TestRun) -> (Vec<(Stage, Result<()>)>, bool) {
    let (wasm, e2e) = (stages.contains(&Stage::Wasm), stages.contains(&Stage::E2e));
    let mut outcome: Vec<(Stage, Result<()>)> = Vec::new();
    let mut jobs: Vec<(Stage, pool::Job)> = Vec::new();
    let started = Instant::now();
    // what the browser stages need installed, before anything runs
    let tools = if wasm || e2e {
        ensure_wasm_target().and_then(|()| ensure_wasm_bindgen(root)).and_then(|()| ensure_chromium())
    } else {
        Ok(())
    };
    let e2e_setup = match (&tools, e2e) {
        (Err(e), true) => Some(Err(e.clone())),
        (Ok(()), true) => Some(prepare_e2e(root)),
        (_, false) => None,
    };
    if wasm {
        if let Err(e) = &tools {
            outcome.push((Stage::Wasm, Err(e.clone())));
        }
    }
    if let Some(Err(e)) = &e2e_setup {
        outcome.push((Stage::E2e, Err(e.clone())));
    }
    let e2e_ready = matches!(e2e_setup, Some(Ok(_)));
    let wasm_ready = wasm && tools.is_ok();
    if wasm_ready || e2e_ready {
        warn_about_rustflags();
    }
    run.mark("wasm and e2e: tools, server", started);

    // the cargo builds, one after another
    let mut last_build: Option<&'static str> = None;
    if e2e_ready {
        match env::current_exe() {
            Ok(xtask) => {
                let mut cmd = Command::new(xtask);
                cmd.arg("build");
                let job = after_last_build(pool::Job::new(SITE_BUILD, vec![cmd]), &mut last_build, SITE_BUILD);
                jobs.push((Stage::E2e, job));
            }
            Err(e) => outcome.push((Stage::E2e, Err(format!("cannot find the running xtask: {e}")))),
        }
    }
    if wasm_ready {
        let mut build = wasm_test_cmd(root);
        build.arg("--no-run");
        run.lints.apply(&mut build, run.lints.in_wasm_build);
        let mut test = wasm_test_cmd(root);
        run.lints.apply(&mut test, run.lints.in_wasm_build); // the same build, or cargo would rebuild
        let job = after_last_build(pool::Job::new(WASM_TEST_BUILD, vec![build]), &mut last_build, WASM_TEST_BUILD);
        jobs.push((Stage::Wasm, job));
        jobs.push((
            Stage::Wasm,
            pool::Job::new("tests/web.rs in wasm (headless Chromium)", vec![test]).after(WASM_TEST_BUILD),
        ));
    }
    let kd = match (&run.kd, e2e_ready) {
        (Some(kd), _) => Some(kd.clone()),
        (None, true) => {
            let mut cmd = cargo();
            cmd.args(["build", "--bin", "kd"]);
            jobs.push((Stage::E2e, after_last_build(pool::Job::new(KD_BUILD, vec![cmd]), &mut last_build, KD_BUILD)));
            Some(target_dir(root).join("debug").join(format!("kd{}", env::consts::EXE_SUFFIX)))
        }
        (None, false) => None,
    };

    if stages.contains(&Stage::Native) {
        for test in &run.native_tests {
            let mut cmd = Command::new(&test.executable);
            cmd.current_dir(&test.package_dir).env("CARGO_MANIFEST_DIR", &test.package_dir);
            jobs.push((Stage::Native, pool::Job::new(test.source.clone(), vec![cmd])));
        }
    }

    if let (Some(Ok(setup)), Some(kd)) = (&e2e_setup, &kd) {
        jobs.insert(0, (Stage::E2e, pool::Job::new(NPM_INSTALL, vec![npm_install_cmd(&setup.dir)])));
        for test in &setup.tests {
            let mut cmd = Command::new("node");
            cmd.arg("--test")
                .arg(test)
                .env("KD_URL", &setup.url)
                .env("KD_CLI", kd)
                .env("CHROMIUM", CHROMIUM)
                .env("KD_SCREENSHOT_DIR", &setup.screenshots);
            let mut job = pool::Job::new(test.display().to_string(), vec![cmd]).after(SITE_BUILD).after(NPM_INSTALL);
            if run.kd.is_none() {
                job = job.after(KD_BUILD);
            }
            jobs.push((Stage::E2e, job));
        }
    }

    let width = pool::width();
    println!("running {} jobs, {width} at a time", jobs.len());
    let started = Instant::now();
    let (job_stages, jobs): (Vec<Stage>, Vec<pool::Job>) = jobs.into_iter().unzip();
    let done = pool::run(jobs, width, &test_logs(root));
    let names: Vec<&str> = stages.iter().map(|s| s.name()).collect();
    run.mark(&format!("side by side: {} (with their builds)", names.join(" ∥ ")), started);
    print_job_times(&done);
    for &stage in stages {
        let mine: Vec<&pool::Finished> =
            done.iter().zip(&job_stages).filter(|(_, s)| **s == stage).map(|(job, _)| job).collect();
        if let Some(last) = mine.iter().map(|job| job.ended).max() {
            run.times.push((format!("  {} done after", stage.name()), last));
        }
        if outcome.iter().any(|(s, _)| *s == stage) {
            continue; // its setup failed
        }
        let failed: Vec<String> =
            mine.iter().filter_map(|job| Some(format!("{}: {}", job.name, job.error.as_ref()?))).collect();
        let result = if failed.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} of its {} jobs failed (their output is above):\n  {}",
                failed.len(),
                mine.len(),
                failed.join("\n  ")
            ))
        };
        outcome.push((stage, result));
    }
    outcome.sort_by_key(|(stage, _)| Stage::ALL.iter().position(|s| s == stage));
    let wasm_build_ok = done.iter().any(|job| job.name == WASM_TEST_BUILD && job.error.is_none() && !job.not_run);
    (outcome, wasm_build_ok)
}

/// `job`, named `name`, after the cargo build before it (if any), whether or not that one succeeded
/// (they share `target/` and its lock); it is now the last.
fn after_last_build(job: pool::Job, last: &mut Option<&'static str>, name: &'static str) -> pool::Job {
    let job = match *last {
        Some(previous) => job.following(previous),
        None => job,
    };
    *last = Some(name);
    job
}

/// What the e2e test files need besides the site: the files, the test server, the screenshots' folder.
struct E2eSetup {
    dir: PathBuf,
    tests: Vec<PathBuf>,
    url: String,
    screenshots: PathBuf,
}

/// Finds the e2e test files, checks node, serves `www/` on a free port (the site's build fills
/// www/pkg before any file runs) and makes the screenshots' folder.
fn prepare_e2e(root: &Path) -> Result<E2eSetup> {
    let dir = root.join("tests").join("e2e");
    let tests = e2e_test_files(&dir)?;
    ensure_node()?;
    if !dir.join("package.json").is_file() {
        return Err(format!("{} has no package.json", dir.display()));
    }
    let port = serve_in_background(&root.join("www"))?;
    let url = format!("http://127.0.0.1:{port}/");
    println!("test server: {url}");
    let screenshots = target_dir(root).join("e2e-screenshots");
    fs::create_dir_all(&screenshots).map_err(|e| format!("cannot create {}: {e}", screenshots.display()))?;
    Ok(E2eSetup { dir, tests, url, screenshots })
}

/// `cargo test --workspace --no-run`, reading which binaries it built; with the lints, every target
/// (`--all-targets`: the benchmark too, which is built and linted but not run).
fn build_native_tests(root: &Path, lints: &Lints) -> Result<NativeBuild> {
    let mut cmd = cargo();
    cmd.args(["test", "--workspace", "--no-run", "--message-format=json-render-diagnostics"]);
    if lints.in_native_build {
        cmd.arg("--all-targets");
        lints.apply(&mut cmd, true);
    }
    let shown = describe(&cmd);
    println!("$ {shown}");
    let output =
        cmd.stderr(std::process::Stdio::inherit()).output().map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if !output.status.success() {
        return Err(format!("`{shown}` failed ({})", output.status));
    }
    let built = parse_native_build(root, &String::from_utf8_lossy(&output.stdout));
    if built.tests.is_empty() {
        return Err(format!("`{shown}` built no test binary"));
    }
    Ok(built)
}

/// Prints how long each side-by-side job took, the longest first.
fn print_job_times(done: &[pool::Finished]) {
    let mut by_time: Vec<&pool::Finished> = done.iter().collect();
    by_time.sort_by_key(|job| std::cmp::Reverse(job.elapsed));
    println!("\ntimes:");
    for job in by_time {
        let state = match (&job.error, job.not_run) {
            (_, true) => "not run",
            (Some(_), false) => "FAILED",
            (None, false) => "ok",
        };
        println!("  {:>6.1} s  {state:<7}  {}", job.elapsed.as_secs_f64(), job.name);
    }
}

/// `cargo test --profile wasm-test -p kd-playground --target wasm32-unknown-unknown --test web`
/// (nothing optimised: see Cargo.toml), run in headless Chromium by wasm-bindgen-test-runner.
fn wasm_test_cmd(root: &Path) -> Command {
    let mut cmd = cargo();
    cmd.args(["test", "--profile", "wasm-test", "-p", PACKAGE, "--target", WASM_TARGET, "--test", "web"])
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", root.join("webdriver.json"));
    if env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
        cmd.env("WASM_BINDGEN_TEST_TIMEOUT", "180"); // the default 20 s is short for training
    }
    cmd
}

/// The `*.test.mjs` files in `tests/e2e`, relative to the repository root: the most test code first
/// (the longest to run, roughly: [`test_code_size`]), so that no long file starts last when they run
/// side by side.
fn e2e_test_files(e2e_dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = fs::read_dir(e2e_dir).map_err(|e| format!("cannot read {}: {e}", e2e_dir.display()))?;
    let mut tests: Vec<(u64, PathBuf)> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs") && p.is_file())
        .map(|p| (test_code_size(&p), Path::new("tests/e2e").join(p.file_name().unwrap_or_default())))
        .collect();
    tests.sort_by(|(a_size, a), (b_size, b)| b_size.cmp(a_size).then_with(|| a.cmp(b)));
    if tests.is_empty() {
        return Err(format!("no *.test.mjs files in {}", e2e_dir.display()));
    }
    Ok(tests.into_iter().map(|(_, path)| path).collect())
}

/// The bytes of test code `file` runs: its own and those of the modules beside it that it imports
/// (`from './engines.mjs'`). The Firefox and WebKit files are a few lines over engines.mjs, which has
/// their flows: counted alone they came last, and the run ended with them on one core.
fn test_code_size(file: &Path) -> u64 {
    let size = |p: &Path| fs::metadata(p).map_or(0, |m| m.len());
    let source = fs::read_to_string(file).unwrap_or_default();
    let dir = file.parent().unwrap_or(Path::new("."));
    size(file) + local_imports(&source).iter().map(|name| size(&dir.join(name))).sum::<u64>()
}

/// The modules beside a file that its source imports: `engines.mjs` for `… from './engines.mjs';`.
fn local_imports(source: &str) -> Vec<String> {
    let mut names: Vec<String> = source
        .lines()
        .filter(|line| line.trim_start().starts_with("import "))
        .filter_map(|line| {
            let (_, rest) = line.split_once(" from ")?;
            let quoted = rest.trim().trim_end_matches(';');
            let name = ['\'', '"'].iter().find_map(|&q| quoted.strip_prefix(q)?.strip_prefix("./")?.strip_suffix(q))?;
            (!name.contains('/')).then(|| name.to_string())
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Installs the e2e dependencies (playwright-core and the other drivers): `npm ci` on CI or when
/// node_modules is missing and a lock file exists, `npm install` otherwise.
pub(crate) fn npm_install(e2e_dir: &Path) -> Result<()> {
    if !e2e_dir.join("package.json").is_file() {
        return Err(format!("{} has no package.json", e2e_dir.display()));
    }
    run_cmd(&mut npm_install_cmd(e2e_dir)).map_err(|e| format!("{e} (in {})", e2e_dir.display()))
}

/// The command `npm_install` runs in `dir`.
fn npm_install_cmd(dir: &Path) -> Command {
    let has_lock = dir.join("package-lock.json").is_file();
    let fresh = env::var_os("CI").is_some() || !dir.join("node_modules").is_dir();
    let verb = if has_lock && fresh { "ci" } else { "install" };
    let mut cmd = Command::new("npm");
    cmd.args([verb, "--no-audit", "--no-fund"]).current_dir(dir);
    cmd
}

// ---------------------------------------------------------------------------------------------
// Unit tests (run by `cargo test --workspace`)
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_e2e_file_counts_the_modules_beside_it_that_it_imports() {
        let source = "import { test } from 'node:test';\nimport { launch } from './browser.mjs';\n\
                      import { coreFlow, webkitDriver } from \"./engines.mjs\";\nimport { fill } from '../../www/template.js';\n\
                      // import x from './not-an-import.mjs';\nconst s = \"import y from './neither.mjs'\";\n";
        assert_eq!(local_imports(source), ["browser.mjs", "engines.mjs"]);
        assert!(local_imports("const x = 1;\n").is_empty());
    }

    /// A fresh, canonical temporary directory with `index.html`, `app.js` and `sub/index.html`.
    fn site() -> PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = env::temp_dir().join(format!("xtask-site-{}-{nanos}", std::process::id()));
        fs::create_dir_all(dir.join("sub")).expect("create temp site");
        fs::write(dir.join("index.html"), "<h1>hi</h1>").expect("write index");
        fs::write(dir.join("app.js"), "export {}").expect("write js");
        fs::write(dir.join("sub/index.html"), "sub").expect("write sub");
        fs::canonicalize(dir).expect("canonical temp dir")
    }

    #[test]
    fn reads_locked_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"9.9.9\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(locked_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(locked_version(lock, "absent"), None);
    }

    #[test]
    fn reads_pinned_version() {
        assert_eq!(pinned_version("wasm-bindgen = \"=0.2.130\"", "wasm-bindgen").as_deref(), Some("0.2.130"));
        let table = "wasm-bindgen = { version = \"=0.2.1\", features = [] }";
        assert_eq!(pinned_version(table, "wasm-bindgen").as_deref(), Some("0.2.1"));
        assert_eq!(pinned_version("wasm-bindgen-test = \"=0.3.80\"", "wasm-bindgen"), None);
    }

    #[test]
    fn resolves_files_and_rejects_traversal() {
        let dir = site();
        assert_eq!(resolve(&dir, "/"), Resolved::File(dir.join("index.html")));
        assert_eq!(resolve(&dir, "/app.js?v=1"), Resolved::File(dir.join("app.js")));
        assert_eq!(resolve(&dir, "/sub"), Resolved::Redirect("/sub/".into()));
        assert_eq!(resolve(&dir, "/sub/"), Resolved::File(dir.join("sub/index.html")));
        for bad in ["/../Cargo.toml", "/sub/../../x", "/%2e%2e/x", "/a%5c..%5cb", "/missing", "x", "/%zz"] {
            assert_eq!(resolve(&dir, bad), Resolved::NotFound, "{bad}");
        }
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn mime_types() {
        assert_eq!(mime_type(Path::new("a.wasm")), "application/wasm");
        assert_eq!(mime_type(Path::new("a.mjs")), "text/javascript; charset=utf-8");
        assert_eq!(mime_type(Path::new("a.PNG")), "image/png");
        assert_eq!(mime_type(Path::new("a.csv")), "text/csv; charset=utf-8");
    }

    #[test]
    fn answers_head_and_bad_methods() {
        let dir = site();
        let get = |method: &str, target: &str| respond(&Request { method: method.into(), target: target.into() }, &dir);
        let mut out = Vec::new();
        get("HEAD", "/app.js").write_to(&mut out).expect("write to vec");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n") && text.ends_with("\r\n\r\n"), "{text}");
        assert!(text.contains("Content-Length: 9\r\n") && text.contains("no-store"), "{text}");
        assert_eq!(get("POST", "/").status, 405);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn reads_the_test_binaries_and_kd_from_cargo_s_messages() {
        let root = Path::new("/r");
        let test = r#"{"reason":"compiler-artifact","manifest_path":"/r/xtask/Cargo.toml","target":{"kind":["bin"],"name":"xtask","src_path":"/r/xtask/src/main.rs","test":true},"profile":{"opt_level":"0","test":true},"executable":"/r/target/debug/deps/xtask-1","fresh":true}"#;
        let kd = r#"{"reason":"compiler-artifact","manifest_path":"/r/Cargo.toml","target":{"kind":["bin"],"name":"kd","src_path":"/r/src/bin/kd/main.rs","test":true},"profile":{"opt_level":"2","test":false},"executable":"/r/target/debug/kd","fresh":false}"#;
        let lib = r#"{"reason":"compiler-artifact","manifest_path":"/r/Cargo.toml","target":{"kind":["lib"],"name":"kd","src_path":"/r/src/lib.rs","test":true},"profile":{"test":false},"executable":null}"#;
        // built with --all-targets (for clippy), the benchmark is not a test to run
        let bench = r#"{"reason":"compiler-artifact","manifest_path":"/r/Cargo.toml","target":{"kind":["bench"],"name":"speed","src_path":"/r/benches/speed.rs","test":false},"profile":{"opt_level":"2","test":true},"executable":"/r/target/debug/deps/speed-1","fresh":false}"#;
        let built = parse_native_build(root, &[test, "{\"reason\":\"build-finished\"}", kd, lib, bench].join("\n"));
        assert_eq!(built.kd, Some(PathBuf::from("/r/target/debug/kd")));
        assert_eq!(
            built.tests,
            [TestBinary {
                source: "xtask/src/main.rs".into(),
                executable: "/r/target/debug/deps/xtask-1".into(),
                package_dir: "/r/xtask".into()
            }]
        );
        assert_eq!(json_string(r#"{"a":"x\"y\\z","b":1}"#, "a").as_deref(), Some("x\"y\\z"));
        assert_eq!(json_string(r#"{"a":null}"#, "a"), None);
    }

    #[test]
    fn tabulates_the_stage_times() {
        let times =
            [("lint".to_string(), Duration::from_millis(1500)), ("e2e: tests".to_string(), Duration::from_secs(90))];
        let table = times_table(&times, Duration::from_secs(100));
        assert_eq!(table, "stage       seconds\nlint            1.5\ne2e: tests     90.0\ntotal         100.0\n");
    }

    #[test]
    fn parses_options() {
        let args: Vec<String> = ["--port=9000", "--no-build"].map(String::from).to_vec();
        let opts = ServeOptions::parse(&args).expect("valid options");
        assert_eq!((opts.port, opts.build), (9000, false));
        assert!(ServeOptions::parse(&["--port".to_string(), "x".to_string()]).is_err());
        assert_eq!(parse_stages(&["e2e".into(), "native".into()]), Ok(vec![Stage::Native, Stage::E2e]));
        assert!(parse_stages(&["bogus".into()]).is_err());
    }
}
