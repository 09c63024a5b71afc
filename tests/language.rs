//! The language task (src/language/): a text read and split by line, its next-character samples,
//! what a model writes from a seed, bits per character and perplexity; bad texts and prompts are
//! refused with a message; and a character teacher trained by the session predicts the held-out
//! names far better than the untrained model.

use std::collections::{BTreeMap, HashSet};

use kd_playground::data::Holdout;
use kd_playground::language::metrics::{bits_per_character, distinct_ngrams, perplexity};
use kd_playground::language::sampling::{next_symbol, write};
use kd_playground::language::{Corpus, BOUNDARY, MAX_TEXT_BYTES};
use kd_playground::rng::{Rng, Stream};
use kd_playground::session::{ModelKind, Phase, Session};
use kd_playground::settings::{Settings, Value};

#[test]
fn the_names_are_read_split_by_line_and_made_into_samples() {
    let corpus = Corpus::names(1).unwrap();
    let letters: String = corpus.symbols[1..].iter().collect();
    assert_eq!((corpus.symbols[0], letters.as_str()), (BOUNDARY, "abcdefghijklmnopqrstuvwxyz"));
    let (train, validation, test) = (corpus.train.len(), corpus.validation.len(), corpus.test.len());
    assert_eq!(train + validation + test, 5163);
    assert_eq!((validation, test), (516, 516), "a tenth each");
    // by line: no name is in two splits, and the same seed gives the same split
    let set = |lines: &[Vec<usize>]| lines.iter().cloned().collect::<HashSet<_>>();
    assert!(
        set(&corpus.train).is_disjoint(&set(&corpus.test)) && set(&corpus.train).is_disjoint(&set(&corpus.validation))
    );
    assert_eq!(Corpus::names(1).unwrap(), corpus);
    assert_ne!(Corpus::names(2).unwrap().test, corpus.test);
    assert_eq!(corpus.longest_line(), 11);

    let data = corpus.dataset(3, Holdout::Test).unwrap();
    let v = corpus.len();
    assert_eq!((data.feature_count(), data.classes()), (3 * v, v));
    let samples: usize = corpus.train.iter().map(|l| l.len() + 1).sum();
    assert_eq!(data.train.len(), samples, "every character of every line, and its end");
    for row in data.train.features.rows() {
        assert_eq!(row.iter().filter(|&&x| x == 1.0).count(), 3, "one symbol per context position");
        assert_eq!(row.iter().filter(|&&x| x != 0.0 && x != 1.0).count(), 0);
    }
    // the first line's samples: its first character follows three boundaries, its end its last three
    let line = &corpus.train[0];
    let symbols_of = |row: usize| -> Vec<usize> {
        (0..3).map(|k| (0..v).find(|&s| data.train.features[[row, k * v + s]] == 1.0).unwrap()).collect()
    };
    assert_eq!((symbols_of(0), data.train.labels[0]), (vec![0, 0, 0], line[0]));
    let end = line.len();
    let last3: Vec<usize> = (0..3).map(|k| if end + k >= 3 { line[end + k - 3] } else { 0 }).collect();
    assert_eq!((symbols_of(end), data.train.labels[end]), (last3, 0));
    let validation_data = corpus.dataset(3, Holdout::Validation).unwrap();
    assert_eq!(validation_data.test.len(), corpus.validation.iter().map(|l| l.len() + 1).sum::<usize>());
    assert_eq!(data.class_names[0], "⏎");
}

#[test]
fn bad_texts_prompts_and_contexts_get_clear_messages() {
    let text = |lines: &[&str]| lines.join("\n").into_bytes();
    let ten: Vec<String> = (0..10).map(|i| format!("line {i}")).collect();
    let ten: Vec<&str> = ten.iter().map(String::as_str).collect();
    let said = |bytes: &[u8]| Corpus::read(bytes, "my.txt", 1).unwrap_err().message().to_string();

    assert_eq!(said(b""), "my.txt has no line with a character");
    assert_eq!(said(b"\n  \n\t\n"), "my.txt has no line with a character");
    assert!(said(&text(&ten[..3])).contains("has 3 lines; at least 10 are needed"), "{}", said(&text(&ten[..3])));
    let mut binary = text(&ten);
    binary.splice(12..12, [0u8, 1, 2]);
    assert!(
        said(&binary).contains("looks like a binary file") && said(&binary).contains("U+0000"),
        "{}",
        said(&binary)
    );
    let mut latin1 = text(&ten);
    latin1.extend_from_slice(&[b'\n', 0xE9, b'!']);
    assert!(said(&latin1).contains("is not UTF-8 text (line 11"), "{}", said(&latin1));
    let many: Vec<String> = (0..200).map(|i| char::from_u32(0x4E00 + i).unwrap().to_string()).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert!(said(&text(&many)).contains("uses 201 different symbols"), "{}", said(&text(&many)));
    let large = vec![b'a'; MAX_TEXT_BYTES as usize + 1];
    assert!(said(&large).contains("the limit for a text is 2 MB"), "{}", said(&large));

    let corpus = Corpus::names(1).unwrap();
    let refused = corpus.encode("anna-lena").unwrap_err().message().to_string();
    assert_eq!(refused, "the character '-' never occurs in names: the model cannot read it");
    assert_eq!(corpus.decode(&corpus.encode("anna").unwrap()), "anna");
    for context in [0, 12, 17] {
        let refused = corpus.dataset(context, Holdout::Test).unwrap_err().message().to_string();
        assert!(refused.contains("it must be from 1 to 11 (the longest line of names has 11 characters)"), "{refused}");
    }
    // Korean works too: a text in Hangul syllables, one symbol each
    let korean: Vec<String> = (0..12).map(|i| format!("민{}", char::from_u32(0xAC00 + i).unwrap())).collect();
    let korean = Corpus::read(korean.join("\n").as_bytes(), "이름.txt", 1).unwrap();
    assert_eq!(korean.len(), 1 + 1 + 12);
}

#[test]
fn the_metrics_of_a_model_that_knows_nothing_and_of_repetition() {
    let v = 27;
    let uniform = ndarray::Array2::<f32>::zeros((5, v));
    let bits = bits_per_character(uniform.view(), &[0, 1, 2, 3, 26]).unwrap();
    assert!((bits - (v as f64).log2()).abs() < 1e-5, "{bits}");
    assert!((perplexity(bits) - v as f64).abs() < 1e-3);
    let varied = ["abcd".to_string(), "efgh".to_string()];
    assert_eq!(distinct_ngrams(&varied, 2), Some(1.0));
    let same = ["abab".to_string(), "abab".to_string()];
    assert_eq!(distinct_ngrams(&same, 2), Some(2.0 / 6.0), "ab, ba of six bigrams");
    assert_eq!(distinct_ngrams(&["a".to_string()], 2), None);
}

/// Settings for a character model on the names: the MLP's sizes come from the data.
fn settings(overrides: &[(&str, &str)]) -> Settings {
    let mut values: BTreeMap<String, Value> = [
        ("teacherHidden", "128"),
        ("studentHidden", "16"),
        ("teacherEpochs", "4"),
        ("studentEpochs", "2"),
        ("batchSize", "64"),
        ("learningRate", "0.01"),
        ("seed", "3"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Value::Text(v.to_string())))
    .collect();
    for (k, v) in overrides {
        values.insert(k.to_string(), Value::Text(v.to_string()));
    }
    Settings::from_values(&values).unwrap()
}

#[test]
fn a_trained_character_teacher_predicts_held_out_names_far_better_than_the_untrained_one() {
    let corpus = Corpus::names(3).unwrap();
    let data = corpus.dataset(3, Holdout::Validation).unwrap();
    let mut session = Session::with_data(settings(&[]), data).unwrap();
    let bits = |session: &Session| {
        let test = &session.data().test;
        let logits = session.logits_at(ModelKind::Teacher, test.features.view(), 1.0).unwrap();
        bits_per_character(logits.view(), &test.labels).unwrap()
    };
    let untrained = bits(&session);
    session.run_phase(Phase::Teacher).unwrap();
    let trained = bits(&session);
    // a model that knows nothing scores log2(27) = 4.75 bits; a trained 3-character model near 2.5
    assert!(untrained > 4.5, "untrained: {untrained:.3} bits per character");
    assert!(trained < 2.9, "trained: {trained:.3} bits per character");

    // what it writes: seeded, in the alphabet, lines that end, more varied when hotter
    let teacher = session.model(ModelKind::Teacher).clone();
    let prompt = corpus.encode("ma").unwrap();
    let mut rng = Rng::stream(7, Stream::Data);
    let names: Vec<String> =
        (0..40).map(|_| corpus.decode(&write(&teacher, &corpus, 3, &prompt, 1.0, &mut rng).unwrap())).collect();
    let mut again = Rng::stream(7, Stream::Data);
    let first = corpus.decode(&write(&teacher, &corpus, 3, &prompt, 1.0, &mut again).unwrap());
    assert_eq!(first, names[0], "the same seed writes the same name");
    assert!(names.iter().all(|n| n.chars().all(|c| c.is_ascii_lowercase())));
    let greedy: HashSet<String> =
        (0..5).map(|_| corpus.decode(&write(&teacher, &corpus, 3, &prompt, 0.0, &mut rng).unwrap())).collect();
    assert_eq!(greedy.len(), 1, "at temperature 0 the model always writes its first choice");
    let probabilities = next_symbol(&teacher, &corpus, 3, &prompt, 1.0).unwrap();
    assert!((probabilities.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    let hot: f64 = next_symbol(&teacher, &corpus, 3, &prompt, 2.0).unwrap().iter().map(|&p| entropy(p)).sum();
    let cold: f64 = next_symbol(&teacher, &corpus, 3, &prompt, 0.5).unwrap().iter().map(|&p| entropy(p)).sum();
    assert!(hot > cold, "a higher sampling temperature spreads the next character's distribution");
}

fn entropy(p: f32) -> f64 {
    if p > 0.0 {
        -f64::from(p) * f64::from(p).ln()
    } else {
        0.0
    }
}

#[test]
fn the_history_records_held_out_bits_per_character_for_the_language_task_alone() {
    let corpus = Corpus::names(4).unwrap();
    let data = corpus.dataset(3, Holdout::Validation).unwrap();
    let mut session = Session::with_data(
        settings(&[("task", "chars"), ("teacherEpochs", "2"), ("studentEpochs", "1"), ("holdout", "validation")]),
        data,
    )
    .unwrap();
    session.run_phase(Phase::Teacher).unwrap();
    session.run_phase(Phase::Distil).unwrap();
    let bits = |which: ModelKind| {
        let held = &session.data().test;
        let logits = session.logits_at(which, held.features.view(), 1.0).unwrap();
        bits_per_character(logits.view(), &held.labels).unwrap() as f32
    };
    let history = session.history();
    let teacher = history.teacher.last().unwrap();
    let students = history.students.last().unwrap();
    assert_eq!(teacher.test_bits, Some(bits(ModelKind::Teacher)), "the teacher's last epoch, on the validation lines");
    assert_eq!(students.kd_test_bits, Some(bits(ModelKind::Kd)));
    assert_eq!(students.control_test_bits, Some(bits(ModelKind::Control)));
    let first = history.students.first().unwrap();
    assert_eq!(first.kd_test_bits, first.control_test_bits, "epoch 0: the students' shared initial weights");
    assert!(history.teacher[0].test_bits.unwrap() > 4.5, "untrained: about log2(27) bits");
    assert!(teacher.test_bits.unwrap() < 3.2);

    // the other tasks record none, and their run files stay as they were
    let mut classify = Session::new(Settings::from_values(&BTreeMap::new()).unwrap()).unwrap();
    classify.run_phase(Phase::Teacher).unwrap();
    assert!(classify.history().teacher.iter().all(|e| e.test_bits.is_none()));
    let json = classify.to_saved().unwrap().to_json().unwrap();
    assert!(!json.contains("testBits") && !json.contains("TestBits"), "no language fields in a classification run");
}

#[test]
fn the_next_character_bars_hold_every_probability_and_follow_the_teacher() {
    use kd_playground::language::metrics::score;
    use kd_playground::language::view::next_characters;
    let corpus = Corpus::names(5).unwrap();
    let data = corpus.dataset(3, Holdout::Test).unwrap();
    let mut session =
        Session::with_data(settings(&[("task", "chars"), ("teacherEpochs", "2"), ("studentEpochs", "1")]), data)
            .unwrap();
    session.run_phase(Phase::Teacher).unwrap();
    session.run_phase(Phase::Distil).unwrap();
    let models = [ModelKind::Teacher, ModelKind::Kd, ModelKind::Control].map(|m| session.model(m));
    let prompt = corpus.prompt("mar").unwrap();
    let view = next_characters(models, &corpus, 3, &prompt, 4.0, 6).unwrap();
    assert_eq!(view.read, ["m", "a", "r"]);
    assert_eq!(next_characters(models, &corpus, 3, &[], 4.0, 6).unwrap().read, ["⏎", "⏎", "⏎"], "a line's start");
    assert_eq!(view.symbols.len(), 6);
    let full = next_symbol(models[0], &corpus, 3, &prompt, 1.0).unwrap();
    let hot = next_symbol(models[0], &corpus, 3, &prompt, 4.0).unwrap();
    let mut sorted = full.clone();
    sorted.sort_by(|a, b| b.total_cmp(a));
    for (k, bar) in view.teacher.at_one[..6].iter().enumerate() {
        assert_eq!(*bar, sorted[k], "the teacher's most likely characters, in order");
        let symbol = (0..corpus.len()).find(|&s| corpus.symbol_name(s) == view.symbols[k]).unwrap();
        assert_eq!(full[symbol], sorted[k], "{} is shown where its probability ranks", view.symbols[k]);
        assert_eq!(view.teacher.at_t[k], hot[symbol], "the same character at the distillation T");
    }
    for bars in [&view.teacher, &view.kd, &view.control] {
        for row in [&bars.at_one, &bars.at_t] {
            assert_eq!(row.len(), 7, "six characters and other");
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{row:?}");
        }
    }
    let t_hot = view.teacher.at_t[6];
    assert!(t_hot > view.teacher.at_one[6], "at T = 4 more mass leaves the top characters: {t_hot}");
    let same = next_characters(models, &corpus, 3, &prompt, 1.0, 6).unwrap();
    assert_eq!(same.teacher.at_one, same.teacher.at_t, "at T = 1 the soft label is the prediction");
    assert!(corpus.prompt(&"a".repeat(65)).is_err(), "a prompt longer than a model writes");

    // the scores: perplexity is 2 to the bits; the same seed writes the same lines
    let (features, labels) = corpus.test_samples(3);
    let scored = score(models[0], &corpus, 3, (features.view(), &labels), 5).unwrap();
    assert!((scored.perplexity - scored.bits_per_char.exp2()).abs() < 1e-4);
    assert_eq!(scored, score(models[0], &corpus, 3, (features.view(), &labels), 5).unwrap());
    assert_eq!(scored.written.len(), 5);
    assert!(scored.accuracy > 0.2 && scored.accuracy < 0.6, "{}", scored.accuracy);
}
