//! The site as files to publish, and the service worker's list of them.
//!
//! * `cargo xtask dist [--out DIR]` builds the engine ([`build`](crate::build), unless `www/pkg` is
//!   newer than its sources: then it is used as it is) and writes a self-contained static folder
//!   (default `target/dist/`):
//!   every file the site serves, the engine's module and the digits renamed by their content
//!   (`pkg/kd_playground_bg.<hash>.wasm`, `pkg/digits.<hash>.csv`: a browser or a proxy never keeps
//!   a stale copy of either), the references to them rewritten, the service worker's list of that
//!   folder, and gzip copies (`.gz`) of the compressible files for servers that send them as they
//!   are (nginx `gzip_static`, Caddy `precompressed`, most static hosts). Every URL in the site is
//!   relative, so the folder works from any path: `https://example.org/courses/kd/`.
//! * The service worker's list, [`PRECACHE`]: `self.PRECACHE = {version, files: {path: sha256}}`,
//!   every file the site serves and its SHA-256. `build` writes it into `www/pkg/` (git-ignored),
//!   `serve` answers it as `www/` is at that moment (an edited file is a new version at once), and
//!   `dist` writes the folder's own. `www/sw.js` caches exactly these files, checks each against
//!   its hash, and names its cache after `version`: the list cannot go stale, since nothing else
//!   writes it.

use std::collections::BTreeMap;
use std::env;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use flate2::write::GzEncoder;
use flate2::{Compression, GzBuilder};

use crate::{build, target_dir, Result};

/// The service worker's list of files, beside the engine (`www/pkg/` is git-ignored).
pub(crate) const PRECACHE: &str = "pkg/precache.js";

/// Files renamed by their content in the published folder: the two largest, and the two a stale
/// copy would break (the engine's glue must load its own module; the engine accepts only the
/// digits' exact bytes).
const HASHED: [&str; 2] = ["pkg/kd_playground_bg.wasm", "pkg/digits.csv"];

/// Hex digits of the content hash in a renamed file's name.
const NAME_HASH_LEN: usize = 12;

/// Names that are not the site's, though they sit in `www/`: wasm-bindgen's type declarations,
/// scripts and notes beside generated files (`icons/make_icons.py`), compressed copies.
const NOT_SERVED: [&str; 5] = [".d.ts", ".py", ".md", ".gz", ".br"];

/// What the engine in `www/pkg` is built from (the digits are copied from `src/data/`).
const ENGINE_SOURCES: [&str; 4] = ["src", "Cargo.toml", "Cargo.lock", ".cargo/config.toml"];

/// What `build` writes into `www/pkg` and `dist` publishes.
const ENGINE_FILES: [&str; 3] = ["kd_playground_bg.wasm", "kd_playground.js", "digits.csv"];

/// Extensions of the files worth a gzip copy (text, and the wasm module, which halves).
const COMPRESSIBLE: [&str; 9] = ["html", "js", "css", "json", "csv", "svg", "webmanifest", "wasm", "txt"];

/// Options of `cargo xtask dist`.
#[derive(Debug, PartialEq)]
struct DistOptions {
    out: Option<PathBuf>,
}

impl DistOptions {
    /// Parses `[--out DIR]` (also `--out=DIR`).
    fn parse(args: &[String]) -> Result<Self> {
        let mut opts = DistOptions { out: None };
        let mut args = args.iter().flat_map(|a| match a.split_once('=') {
            Some((key, value)) if key.starts_with("--") => vec![key.to_string(), value.to_string()],
            _ => vec![a.clone()],
        });
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--out" => opts.out = Some(args.next().ok_or("--out needs a directory")?.into()),
                other => return Err(format!("unknown dist option `{other}` (usage: cargo xtask dist [--out DIR])")),
            }
        }
        Ok(opts)
    }
}

/// `cargo xtask dist [--out DIR]`: build (if the engine is not fresh), then write the folder to publish.
pub(crate) fn dist_cmd(root: &Path, args: &[String]) -> Result<()> {
    let opts = DistOptions::parse(args)?;
    let out = match opts.out {
        // relative to where cargo was run (xtask itself runs in the repository root)
        Some(dir) if dir.is_relative() => invocation_dir(root).join(dir),
        Some(dir) => dir,
        None => target_dir(root).join("dist"),
    };
    if engine_is_fresh(root) {
        // nothing of www/ is rewritten: a page served from it meanwhile (an e2e test) is left alone
        println!(
            "ok www/pkg: built after the last change to {} (cargo xtask build rebuilds it)",
            ENGINE_SOURCES.join(", ")
        );
    } else {
        build(root)?;
    }
    let site = read_site(&root.join("www"))?;
    let published = publish(site)?;
    write_folder(&out, &published)?;
    println!("\nthe site, ready to publish: {}", out.display());
    println!("  serve that folder as it is, from any path (every URL in it is relative): e.g.");
    println!("  python3 -m http.server --bind 127.0.0.1 8000 -d {}", out.display());
    Ok(())
}

/// Whether `www/pkg` holds an engine built after the last change to its sources: every file of
/// [`ENGINE_FILES`] is there and newer than every file of [`ENGINE_SOURCES`]. Then `dist` publishes
/// it as it is (`cargo build` would find nothing to do, but wasm-bindgen would write `www/pkg`
/// again, under any page being served from it).
fn engine_is_fresh(root: &Path) -> bool {
    let pkg = root.join("www").join("pkg");
    let built = ENGINE_FILES.iter().map(|file| modified(&pkg.join(file))).collect::<Option<Vec<_>>>();
    let Some(built) = built.and_then(|times| times.into_iter().min()) else { return false };
    ENGINE_SOURCES.iter().all(|source| newest(&root.join(source)).is_some_and(|time| time < built))
}

/// The modification time of a file.
fn modified(file: &Path) -> Option<SystemTime> {
    fs::metadata(file).and_then(|m| m.modified()).ok()
}

/// The newest modification time of a file, or of any file under a directory.
fn newest(path: &Path) -> Option<SystemTime> {
    if !path.is_dir() {
        return modified(path);
    }
    let entries = fs::read_dir(path).ok()?;
    entries
        .filter_map(|e| e.ok())
        .map(|e| newest(&e.path()))
        .try_fold(SystemTime::UNIX_EPOCH, |a, b| b.map(|b| a.max(b)))
}

/// The directory `cargo xtask` was started from (the shell's `PWD`), else the repository root.
fn invocation_dir(root: &Path) -> PathBuf {
    env::var_os("PWD")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute() && d.is_dir())
        .unwrap_or_else(|| root.to_path_buf())
}

// ---------------------------------------------------------------------------------------------
// The site's files
// ---------------------------------------------------------------------------------------------

/// Whether `path` (relative to the site's root, `/`-separated) is a file the site serves: not a
/// dotfile, not in [`NOT_SERVED`], not the list itself.
pub(crate) fn is_site_file(path: &str) -> bool {
    path != PRECACHE
        && !path.split('/').any(|segment| segment.starts_with('.'))
        && !NOT_SERVED.iter().any(|ending| path.ends_with(ending))
}

/// Every file under `dir` the site serves, as `/`-separated paths relative to `dir`, sorted.
pub(crate) fn site_files(dir: &Path) -> Result<Vec<String>> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<()> {
        let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = format!("{prefix}{name}");
            let kind = entry.file_type().map_err(|e| format!("cannot read {}: {e}", entry.path().display()))?;
            if kind.is_dir() && !name.starts_with('.') {
                walk(&entry.path(), &format!("{path}/"), out)?;
            } else if (kind.is_file() || kind.is_symlink() && entry.path().is_file()) && is_site_file(&path) {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, "", &mut files)?;
    files.sort();
    Ok(files)
}

/// The site's files and their bytes.
type Site = BTreeMap<String, Vec<u8>>;

/// Reads every file of the site in `dir`.
fn read_site(dir: &Path) -> Result<Site> {
    let mut site = Site::new();
    for path in site_files(dir)? {
        let bytes = fs::read(dir.join(&path)).map_err(|e| format!("cannot read {}: {e}", dir.join(&path).display()))?;
        site.insert(path, bytes);
    }
    for needed in ["index.html", "sw.js", HASHED[0], HASHED[1]] {
        if !site.contains_key(needed) {
            return Err(format!("{} has no {needed}: is the engine built (cargo xtask build)?", dir.display()));
        }
    }
    Ok(site)
}

// ---------------------------------------------------------------------------------------------
// The service worker's list
// ---------------------------------------------------------------------------------------------

/// The list as `sw.js` imports it: `self.PRECACHE = {"version":…,"files":{path: sha256}};`. The
/// version is a hash of the whole list: any file changed, added or removed makes a new one.
pub(crate) fn precache_script(hashes: &BTreeMap<String, String>) -> String {
    let listing: String = hashes.iter().map(|(path, hash)| format!("{path} {hash}\n")).collect();
    let version = &sha256_hex(listing.as_bytes())[..16];
    let files: Vec<String> =
        hashes.iter().map(|(path, hash)| format!("\n  {}: \"{hash}\"", json_string(path))).collect();
    format!(
        "// Written by `cargo xtask build` (and dist, serve): every file the site serves and its SHA-256, for sw.js.\n\
         self.PRECACHE = {{ \"version\": \"{version}\", \"files\": {{{}\n}} }};\n",
        files.join(",")
    )
}

/// Hashes every file of the site in `dir` and writes its list, `dir/pkg/precache.js`.
pub(crate) fn write_precache(dir: &Path) -> Result<()> {
    let script = live_precache(dir)?;
    let file = dir.join(PRECACHE);
    fs::write(&file, script).map_err(|e| format!("cannot write {}: {e}", file.display()))
}

/// A file's hash, kept while its size and modification time stay the same.
type Memo = BTreeMap<PathBuf, (u64, SystemTime, String)>;

/// The list of the site in `dir` as it is now (what `serve` answers for `pkg/precache.js`). Files
/// are hashed again only when their size or modification time changed, so that answering the
/// service worker's update check on every page load stays cheap.
pub(crate) fn live_precache(dir: &Path) -> Result<Vec<u8>> {
    static MEMO: OnceLock<Mutex<Memo>> = OnceLock::new();
    let mut memo = MEMO.get_or_init(Default::default).lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut hashes = BTreeMap::new();
    for path in site_files(dir)? {
        let file = dir.join(&path);
        let meta = fs::metadata(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let stamp = (meta.len(), meta.modified().unwrap_or(SystemTime::UNIX_EPOCH));
        let hash = match memo.get(&file) {
            Some((len, modified, hash)) if (*len, *modified) == stamp => hash.clone(),
            _ => {
                let bytes = fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
                let hash = sha256_hex(&bytes);
                memo.insert(file, (stamp.0, stamp.1, hash.clone()));
                hash
            }
        };
        hashes.insert(path, hash);
    }
    Ok(precache_script(&hashes).into_bytes())
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------------
// The published folder
// ---------------------------------------------------------------------------------------------

/// `pkg/digits.csv` with hash `hash` → `pkg/digits.<hash>.csv` (the first dot of the file name).
fn hashed_name(path: &str, hash: &str) -> String {
    let (dir, name) = path.rsplit_once('/').map_or(("", path), |(d, n)| (d, n));
    let named = match name.split_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{name}.{hash}"),
    };
    if dir.is_empty() {
        named
    } else {
        format!("{dir}/{named}")
    }
}

/// `text` with every `from` replaced by `to`; an error when `from` occurs fewer than `at_least`
/// times (the file no longer says what `dist` expects: a reference would be left dangling).
fn rewrite(file: &str, text: &str, from: &str, to: &str, at_least: usize) -> Result<String> {
    let count = text.matches(from).count();
    if count < at_least {
        return Err(format!("{file}: expected `{from}` at least {at_least} time(s), found it {count} time(s)"));
    }
    Ok(text.replace(from, to))
}

/// The rewrites that follow the renamed files: (the file that refers to them, text before, after).
fn references(renamed: &BTreeMap<&str, String>) -> Vec<(&'static str, String, String)> {
    let name = |path: &str| renamed[path].rsplit('/').next().unwrap_or_default().to_string();
    let wasm = name(HASHED[0]);
    let digits = name(HASHED[1]);
    vec![
        // wasm-bindgen's glue: `new URL('kd_playground_bg.wasm', import.meta.url)`
        ("pkg/kd_playground.js", "'kd_playground_bg.wasm'".into(), format!("'{wasm}'")),
        // the page's table of renamed files of the engine's package (www/lib/pkg.js): the page
        // compiles the engine itself (once, for its worker too) and fetches digits when chosen
        (
            "lib/pkg.js",
            "const RENAMED = {};".into(),
            format!("const RENAMED = {{ 'kd_playground_bg.wasm': '{wasm}', 'digits.csv': '{digits}' }};"),
        ),
    ]
}

/// The published site: [`HASHED`] renamed, the references to them rewritten, every URL checked to
/// be relative, and its own list of files.
fn publish(mut site: Site) -> Result<Site> {
    let mut renamed = BTreeMap::new();
    for path in HASHED {
        let bytes = site.remove(path).ok_or_else(|| format!("the site has no {path}"))?;
        let name = hashed_name(path, &sha256_hex(&bytes)[..NAME_HASH_LEN]);
        site.insert(name.clone(), bytes);
        renamed.insert(path, name);
    }
    for (file, from, to) in references(&renamed) {
        let bytes = site.get_mut(file).ok_or_else(|| format!("the site has no {file}"))?;
        let text = String::from_utf8(std::mem::take(bytes)).map_err(|_| format!("{file} is not UTF-8"))?;
        *bytes = rewrite(file, &text, &from, &to, 1)?.into_bytes();
    }
    for (path, bytes) in &site {
        if let Some(found) = absolute_reference(path, bytes) {
            return Err(format!("{path} refers to `{found}` from the server's root: it would break under a sub-path"));
        }
    }
    let hashes = site.iter().map(|(path, bytes)| (path.clone(), sha256_hex(bytes))).collect();
    site.insert(PRECACHE.to_string(), precache_script(&hashes).into_bytes());
    Ok(site)
}

/// The first URL in an HTML, CSS or manifest file that starts at the server's root (`/x`, not
/// `x` or `./x`) or names another host (`//host/x`), if any.
fn absolute_reference(path: &str, bytes: &[u8]) -> Option<String> {
    let openers: &[&str] = match path.rsplit('.').next() {
        Some("html") => &["src=\"/", "href=\"/", "src='/", "href='/"],
        Some("css") => &["url(/", "url(\"/", "url('/"],
        Some("webmanifest") => &["\"/"],
        _ => return None,
    };
    let text = String::from_utf8_lossy(bytes);
    openers.iter().find_map(|opener| {
        let at = text.find(opener)?;
        Some(text[at..].chars().take(40).take_while(|c| !c.is_whitespace()).collect())
    })
}

/// Writes `site` into `out` (replacing a folder this command wrote before), with gzip copies.
fn write_folder(out: &Path, site: &Site) -> Result<()> {
    if out.exists() {
        let ours = out.join("sw.js").is_file() && out.join(PRECACHE).is_file();
        let empty = fs::read_dir(out).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !ours && !empty {
            return Err(format!(
                "{} exists and is not a folder `cargo xtask dist` wrote: choose another --out, or empty it",
                out.display()
            ));
        }
        fs::remove_dir_all(out).map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    }
    let (mut raw, mut gzipped, mut copies) = (0, 0, 0);
    for (path, bytes) in site {
        let file = out.join(path);
        if let Some(parent) = file.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        fs::write(&file, bytes).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        raw += bytes.len();
        let compressible = path.rsplit('.').next().is_some_and(|ext| COMPRESSIBLE.contains(&ext));
        match compressible.then(|| gzip(bytes)).transpose()? {
            // a copy only where it saves a tenth or more
            Some(small) if small.len() * 10 <= bytes.len() * 9 => {
                let gz = PathBuf::from(format!("{}.gz", file.display()));
                fs::write(&gz, &small).map_err(|e| format!("cannot write {}: {e}", gz.display()))?;
                gzipped += small.len();
                copies += 1;
            }
            _ => gzipped += bytes.len(),
        }
    }
    println!(
        "wrote {} files ({:.1} KiB) and {copies} gzip copies ({:.1} KiB as sent gzipped)",
        site.len(),
        kib(raw),
        kib(gzipped)
    );
    Ok(())
}

fn kib(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

/// `bytes` gzipped at the best level, with no name and no time in the header (the same bytes
/// every time).
fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder: GzEncoder<Vec<u8>> = GzBuilder::new().mtime(0).write(Vec::new(), Compression::best());
    encoder.write_all(bytes).and_then(|()| encoder.finish()).map_err(|e| format!("gzip: {e}"))
}

// ---------------------------------------------------------------------------------------------
// SHA-256 (FIPS 180-4), the hash the service worker checks with crypto.subtle.digest
// ---------------------------------------------------------------------------------------------

/// The round constants: the first 32 bits of the fractional parts of the cube roots of the first
/// 64 primes.
const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
];

/// SHA-256 of `data`, as 64 lowercase hex digits.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    let mut h: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    // the message, a 1 bit, zeros, and its length in bits: a whole number of 64-byte blocks
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let choice = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(choice).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let majority = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(majority);
            (hh, g, f, e, d, c, b, a) = (g, f, e, d.wrapping_add(t1), c, b, a, t1.wrapping_add(t2));
        }
        for (state, add) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *state = state.wrapping_add(add);
        }
    }
    h.iter().map(|word| format!("{word:08x}")).collect()
}

// ---------------------------------------------------------------------------------------------
// Unit tests (run by `cargo test -p xtask`)
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh temporary directory.
    fn temp_dir(name: &str) -> PathBuf {
        let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
        let dir = env::temp_dir().join(format!("xtask-dist-{name}-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&dir).expect("create temp dir");
        dir
    }

    /// A small site with the files `publish` expects, in memory.
    fn small_site() -> Site {
        let mut site = Site::new();
        site.insert(
            "index.html".into(),
            b"<link rel=\"manifest\" href=\"manifest.webmanifest\"><script src=\"main.js\"></script>".to_vec(),
        );
        site.insert("sw.js".into(), b"importScripts('pkg/precache.js');".to_vec());
        site.insert("style.css".into(), b"body { background: url(icons/bg.svg); }".to_vec());
        site.insert("lib/pkg.js".into(), b"const RENAMED = {};\nexport const x = RENAMED;".to_vec());
        site.insert(
            "pkg/kd_playground.js".into(),
            b"module_or_path = new URL('kd_playground_bg.wasm', import.meta.url);".to_vec(),
        );
        site.insert("pkg/kd_playground_bg.wasm".into(), b"\0asm\x01\0\0\0".to_vec());
        site.insert("pkg/digits.csv".into(), b"0,1,2\n".to_vec());
        site
    }

    #[test]
    fn sha256_known_answers() {
        // FIPS 180-4 examples, and a message of exactly one block after padding (55 bytes) and of two (56)
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(sha256_hex(&[b'a'; 55]), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
        assert_eq!(sha256_hex(&[b'a'; 1000]), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
    }

    #[test]
    fn names_files_by_their_hash() {
        assert_eq!(hashed_name("pkg/kd_playground_bg.wasm", "0123456789ab"), "pkg/kd_playground_bg.0123456789ab.wasm");
        assert_eq!(hashed_name("pkg/digits.csv", "ff"), "pkg/digits.ff.csv");
        assert_eq!(hashed_name("a.tar.gz", "ff"), "a.ff.tar.gz");
        assert_eq!(hashed_name("LICENSE", "ff"), "LICENSE.ff");
    }

    #[test]
    fn rewrites_references_or_says_which_is_missing() {
        assert_eq!(rewrite("f.js", "a 'x' b 'x'", "'x'", "'y'", 1).as_deref(), Ok("a 'y' b 'y'"));
        let err = rewrite("f.js", "nothing here", "'x'", "'y'", 1).unwrap_err();
        assert!(err.contains("f.js") && err.contains("'x'") && err.contains("found it 0"), "{err}");
    }

    #[test]
    fn publishes_hashed_files_and_rewrites_every_reference() {
        let site = small_site();
        let wasm_hash = sha256_hex(&site["pkg/kd_playground_bg.wasm"])[..NAME_HASH_LEN].to_string();
        let digits_hash = sha256_hex(&site["pkg/digits.csv"])[..NAME_HASH_LEN].to_string();
        let out = publish(site).expect("publish");
        let wasm = format!("pkg/kd_playground_bg.{wasm_hash}.wasm");
        let digits = format!("digits.{digits_hash}.csv");
        assert!(out.contains_key(&wasm) && out.contains_key(&format!("pkg/{digits}")));
        assert!(!out.contains_key("pkg/kd_playground_bg.wasm") && !out.contains_key("pkg/digits.csv"));
        let glue = String::from_utf8(out["pkg/kd_playground.js"].clone()).expect("utf-8");
        assert!(glue.contains(&format!("new URL('kd_playground_bg.{wasm_hash}.wasm', import.meta.url)")), "{glue}");
        let table = String::from_utf8(out["lib/pkg.js"].clone()).expect("utf-8");
        let renamed = format!(
            "const RENAMED = {{ 'kd_playground_bg.wasm': 'kd_playground_bg.{wasm_hash}.wasm', 'digits.csv': '{digits}' }};"
        );
        assert!(table.starts_with(&renamed), "{table}");
        // the list names the published files, the rewritten glue's hash and not the list itself
        let list = String::from_utf8(out[PRECACHE].clone()).expect("utf-8");
        assert!(list.contains(&format!("\"{wasm}\"")) && list.contains(&format!("\"pkg/{digits}\"")), "{list}");
        assert!(list.contains(&sha256_hex(&out["pkg/kd_playground.js"])), "{list}");
        assert!(!list.contains("precache.js\""), "{list}");
    }

    #[test]
    fn refuses_a_site_it_cannot_rewrite() {
        let mut site = small_site();
        site.insert("pkg/kd_playground.js".into(), b"fetch('elsewhere.wasm')".to_vec());
        assert!(publish(site).unwrap_err().contains("pkg/kd_playground.js"));
    }

    #[test]
    fn finds_urls_from_the_servers_root() {
        assert_eq!(absolute_reference("a.html", b"<script src=\"main.js\"></script><a href=\"./\">"), None);
        assert_eq!(
            absolute_reference("a.html", b"<link href=\"/style.css\">").as_deref(),
            Some("href=\"/style.css\">")
        );
        assert_eq!(
            absolute_reference("a.html", b"<img src='//cdn.example/x.png'>").as_deref(),
            Some("src='//cdn.example/x.png'>")
        );
        assert!(absolute_reference("a.css", b"b { background: url(/x.svg) }").is_some());
        assert!(absolute_reference("m.webmanifest", b"{\"start_url\": \"/\"}").is_some());
        assert_eq!(absolute_reference("m.webmanifest", b"{\"start_url\": \"./\", \"scope\": \".\"}"), None);
        let mut site = small_site();
        site.insert("answer.html".into(), b"<a href=\"/\">back</a>".to_vec());
        assert!(publish(site).unwrap_err().contains("answer.html"));
    }

    /// The page itself: every URL in www/ is relative, so that the published folder works from a sub-path.
    #[test]
    fn the_site_uses_relative_urls_only() {
        let www = Path::new(env!("CARGO_MANIFEST_DIR")).join("../www");
        for path in site_files(&www).expect("list www") {
            let bytes = fs::read(www.join(&path)).expect("read");
            assert_eq!(absolute_reference(&path, &bytes), None, "{path}");
        }
    }

    #[test]
    fn lists_the_served_files_and_follows_their_changes() {
        let dir = temp_dir("list");
        for (path, text) in [
            ("index.html", "a"),
            ("pkg/x.js", "b"),
            ("pkg/x.d.ts", "c"),
            (".hidden", "d"),
            ("icons/make_icons.py", "e"),
        ] {
            let file = dir.join(path);
            fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            fs::write(file, text).expect("write");
        }
        assert_eq!(site_files(&dir).expect("list"), ["index.html", "pkg/x.js"]);
        write_precache(&dir).expect("write list");
        let first = fs::read_to_string(dir.join(PRECACHE)).expect("read list");
        assert!(first.contains(&format!("\"index.html\": \"{}\"", sha256_hex(b"a"))), "{first}");
        assert_eq!(live_precache(&dir).expect("live"), first.as_bytes(), "the list does not list itself");
        // a changed file: a new hash and a new version (its size changes, so the memo cannot miss it)
        fs::write(dir.join("pkg/x.js"), "bb").expect("write");
        let second = String::from_utf8(live_precache(&dir).expect("live")).expect("utf-8");
        assert!(second.contains(&sha256_hex(b"bb")), "{second}");
        let version = |s: &str| s.split("\"version\": \"").nth(1).map(|v| v[..16].to_string());
        assert_ne!(version(&first), version(&second));
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn writes_a_folder_only_over_its_own() {
        let dir = temp_dir("out");
        fs::write(dir.join("precious.txt"), "keep").expect("write");
        let site = publish(small_site()).expect("publish");
        assert!(write_folder(&dir, &site).unwrap_err().contains("not a folder"));
        assert!(dir.join("precious.txt").is_file());
        let out = dir.join("site");
        write_folder(&out, &site).expect("first");
        fs::write(out.join("stale.js"), "old").expect("write");
        write_folder(&out, &site).expect("again, over its own folder");
        assert!(!out.join("stale.js").exists() && out.join("sw.js").is_file());
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn reuses_an_engine_built_after_its_sources() {
        let root = temp_dir("fresh");
        let at = |secs| SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs);
        let touch = |path: &str, secs| {
            let file = root.join(path);
            fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            fs::write(&file, path).expect("write");
            fs::File::options().write(true).open(&file).and_then(|f| f.set_modified(at(secs))).expect("set time");
        };
        for source in ["src/lib.rs", "src/data/digits.csv", "Cargo.toml", "Cargo.lock", ".cargo/config.toml"] {
            touch(source, 1_000);
        }
        assert!(!engine_is_fresh(&root), "nothing built");
        for file in ENGINE_FILES {
            touch(&format!("www/pkg/{file}"), 2_000);
        }
        assert!(engine_is_fresh(&root));
        touch("src/data/digits.csv", 3_000);
        assert!(!engine_is_fresh(&root), "a source changed since, deep in src/");
        touch("src/data/digits.csv", 1_000);
        touch("www/pkg/kd_playground.js", 500);
        assert!(!engine_is_fresh(&root), "one output older than the sources");
        let _ = fs::remove_dir_all(root);
    }

    #[test]
    fn gzip_is_reproducible_and_round_trips() {
        use std::io::Read;
        let text = "soft labels ".repeat(200);
        let (a, b) = (gzip(text.as_bytes()).expect("gzip"), gzip(text.as_bytes()).expect("gzip"));
        assert_eq!(a, b);
        assert!(a.len() < text.len() / 10);
        let mut back = String::new();
        flate2::read::GzDecoder::new(&a[..]).read_to_string(&mut back).expect("gunzip");
        assert_eq!(back, text);
    }

    #[test]
    fn parses_options() {
        assert_eq!(DistOptions::parse(&[]), Ok(DistOptions { out: None }));
        let args = ["--out=site/kd".to_string()];
        assert_eq!(DistOptions::parse(&args), Ok(DistOptions { out: Some("site/kd".into()) }));
        assert!(DistOptions::parse(&["--out".to_string()]).is_err());
        assert!(DistOptions::parse(&["--fast".to_string()]).is_err());
    }
}
