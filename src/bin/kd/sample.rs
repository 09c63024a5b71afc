//! `kd sample`: what a saved run of the language task writes. The run file (`kd run --task chars
//! --save-run FILE`) holds the networks and its text's characters; each line starts with the
//! prompt, and every next character is drawn from the chosen network's softmax at the sampling
//! temperature (0: always its most likely character), from the seed.

use kd_playground::language::sampling::write;
use kd_playground::language::Corpus;
use kd_playground::rng::{Rng, Stream};
use kd_playground::session::SavedRun;
use kd_playground::settings::Settings;

use crate::args::SampleArgs;
use crate::run::Failure;

pub fn sample(args: &SampleArgs) -> Result<String, Failure> {
    let text = std::fs::read_to_string(&args.run)
        .map_err(|error| Failure::data(format!("cannot read {} ({error})", args.run)))?;
    let saved = SavedRun::from_json(&text).map_err(|error| Failure::data(format!("{}: {error}", args.run)))?;
    let Some(text) = &saved.text else {
        return Err(Failure::data(format!(
            "{} is not a run of the language task (kd run --task chars --save-run FILE writes one)",
            args.run
        )));
    };
    let settings =
        Settings::from_values(&saved.settings).map_err(|error| Failure::data(format!("{}: {error}", args.run)))?;
    let corpus = Corpus::of_characters(&text.name, &text.characters)
        .map_err(|error| Failure::data(format!("{}: {error}", args.run)))?;
    let network = match args.model.as_str() {
        "teacher" => &saved.weights.teacher,
        "kd" => &saved.weights.kd_student,
        _ => &saved.weights.control_student,
    };
    if network.sizes().first() != Some(&(settings.context * corpus.len())) {
        return Err(Failure::data(format!(
            "{}: its {} network does not read {} characters of {} symbols",
            args.run,
            args.model,
            settings.context,
            corpus.len()
        )));
    }
    let prompt = corpus.encode(&args.prompt).map_err(|error| Failure::data(error.to_string()))?;
    let mut rng = Rng::stream(args.seed, Stream::Sampling);
    let mut out = String::new();
    for _ in 0..args.count {
        let written = write(network, &corpus, settings.context, &prompt, args.temperature, &mut rng)
            .map_err(|error| Failure::data(error.to_string()))?;
        out.push_str(&args.prompt);
        out.push_str(&corpus.decode(&written));
        out.push('\n');
    }
    Ok(out)
}
