//! A saved run file (`SavedRun::from_json`, then `Session::from_saved`, as the page's "Load run…"
//! does): any text gives a session or an error, never a panic.
#![no_main]

use kd_playground::session::{SavedRun, Session};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(run) = SavedRun::from_json(text) else { return };
    let _ = Session::from_saved(run);
});
