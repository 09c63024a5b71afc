//! The `kd` command line (src/bin/kd/args.rs, included as is): any arguments give a command or a
//! usage error, never a panic. The input is split into arguments at NUL and newline bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../src/bin/kd/args.rs"]
mod args;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let argv: Vec<String> =
        if text.is_empty() { Vec::new() } else { text.split(['\0', '\n']).map(str::to_string).collect() };
    let _ = args::parse(&argv);
});
