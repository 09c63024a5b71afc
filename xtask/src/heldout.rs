//! `cargo xtask heldout`: the experiments' figures as the page and docs/experiments.md report them.
//!
//! The protocol (issue 13): settings are chosen on the tuning seeds 0–9 with a validation split cut
//! from the training split (`kd experiment NAME --seeds 0..10 --holdout validation`, printed to
//! `docs/heldout/validation-NAME.txt`), and reported on the held-out seeds 10–29, never used for
//! choosing, on the test split (`kd experiment NAME --seeds 10..30`, printed to
//! `docs/heldout/NAME.txt`). `www/heldout.json` holds each experiment's `--json` object, as `kd`
//! wrote it, under its name: the page's Experiments panel reads the claim over the held-out seeds
//! from it, so that every number it quotes there is one the engine computed.

use std::fs;
use std::path::Path;

use crate::{cargo, describe, target_dir, Result};

/// The experiments, in the page's order: Hinton's, then one study per method of the map.
const EXPERIMENTS: [&str; 13] = [
    "omitted-class",
    "small-transfer-set",
    "temperature-width",
    "ensemble-teacher",
    "high-temperature",
    "born-again",
    "fitnets-hint",
    "rkd-relations",
    "mutual-learning",
    "self-distillation",
    "dark-knowledge-controls",
    "kl-direction",
    "capacity-gap",
];
/// The tuning seeds (validation split) and the held-out seeds (test split).
const TUNING: &str = "0..10";
const HELD_OUT: &str = "10..30";
pub(crate) const USAGE: &str = "usage: cargo xtask heldout   (takes no options; about 25 minutes on 2 cores)";

pub(crate) fn heldout_cmd(root: &Path, rest: &[String]) -> Result<()> {
    if let Some(arg) = rest.first() {
        return Err(format!("`heldout` takes no arguments (got `{arg}`)\n{USAGE}"));
    }
    crate::run_cmd(cargo().args(["build", "--release", "--bin", "kd"]))?;
    let kd = target_dir(root).join("release").join(if cfg!(windows) { "kd.exe" } else { "kd" });
    let docs = root.join("docs").join("heldout");
    fs::create_dir_all(&docs).map_err(|e| format!("cannot create {}: {e}", docs.display()))?;
    let run = |args: &[&str]| -> Result<String> {
        let mut cmd = std::process::Command::new(&kd);
        cmd.args(args);
        let shown = describe(&cmd);
        println!("$ {shown}");
        let output = cmd.output().map_err(|e| format!("could not start `{shown}`: {e}"))?;
        if !output.status.success() {
            return Err(format!("`{shown}` failed: {}", String::from_utf8_lossy(&output.stderr)));
        }
        String::from_utf8(output.stdout).map_err(|e| format!("`{shown}` wrote no UTF-8: {e}"))
    };
    let mut json = String::from("{\n");
    for (i, name) in EXPERIMENTS.iter().enumerate() {
        let tuning = run(&["experiment", name, "--seeds", TUNING, "--holdout", "validation"])?;
        write(
            &docs.join(format!("validation-{name}.txt")),
            &with_command(name, &["--seeds", TUNING, "--holdout", "validation"], &tuning),
        )?;
        let held_out = run(&["experiment", name, "--seeds", HELD_OUT])?;
        write(&docs.join(format!("{name}.txt")), &with_command(name, &["--seeds", HELD_OUT], &held_out))?;
        let object = run(&["experiment", name, "--seeds", HELD_OUT, "--json"])?;
        json.push_str(&format!(
            "\"{name}\": {}{}\n",
            object.trim_end(),
            if i + 1 < EXPERIMENTS.len() { "," } else { "" }
        ));
    }
    json.push_str("}\n");
    write(&root.join("www").join("heldout.json"), &json)
}

/// The output as the docs show it: the command, then what it printed.
fn with_command(name: &str, args: &[&str], output: &str) -> String {
    format!("$ kd experiment {name} {}\n{output}", args.join(" "))
}

fn write(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}
