//! The Korean chart texts the page loads (`www/locales/charts.ko.js`) against the texts the charts
//! declare (`kd_playground::charts::text::CHART_TEXT`): every key translated, with a non-empty
//! value that keeps the English template's placeholders, and no key the charts do not know.
//! (That the translations reach a drawn chart is tested next to `set_translations`, with the
//! charts' recording backend.)

use std::collections::{BTreeMap, BTreeSet};

use kd_playground::charts::text::{placeholders, set_translations, text, text_with, CHART_TEXT, MAX_TRANSLATION_CHARS};

const KOREAN: &str = include_str!("../www/locales/charts.ko.js");

/// A token of the small part of JavaScript a locale file is written in.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A quoted string, unescaped.
    Str(String),
    Word(String),
    Punct(char),
}

/// The tokens of `source`, comments skipped.
fn tokens(source: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                loop {
                    let c = chars.next().ok_or("unterminated comment")?;
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '\'' | '"' | '`' => {
                let quote = c;
                let mut value = String::new();
                loop {
                    match chars.next().ok_or("unterminated string")? {
                        '\\' => match chars.next().ok_or("unterminated escape")? {
                            'n' => value.push('\n'),
                            't' => value.push('\t'),
                            other => value.push(other),
                        },
                        '\n' if quote != '`' => return Err(format!("line break inside the string {value:?}")),
                        c if c == quote => break,
                        c => value.push(c),
                    }
                }
                if quote == '`' && value.contains("${") {
                    return Err(format!("template literal with a substitution: {value:?}"));
                }
                out.push(Token::Str(value));
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' => {
                let mut word = c.to_string();
                while let Some(&next) = chars.peek().filter(|n| n.is_alphanumeric() || **n == '_' || **n == '$') {
                    word.push(next);
                    chars.next();
                }
                out.push(Token::Word(word));
            }
            c => out.push(Token::Punct(c)),
        }
    }
    Ok(out)
}

/// The entries of `export default { 'key': 'value', ... };` in order (duplicates kept).
fn entries(source: &str) -> Result<Vec<(String, String)>, String> {
    let tokens = tokens(source)?;
    let mut rest = tokens.as_slice();
    let expect = |wanted: Token, rest: &mut &[Token]| -> Result<(), String> {
        match rest.split_first() {
            Some((token, tail)) if *token == wanted => {
                *rest = tail;
                Ok(())
            }
            other => Err(format!("expected {wanted:?}, found {:?}", other.map(|(t, _)| t))),
        }
    };
    expect(Token::Word("export".into()), &mut rest)?;
    expect(Token::Word("default".into()), &mut rest)?;
    expect(Token::Punct('{'), &mut rest)?;
    let mut found = Vec::new();
    loop {
        match rest {
            [Token::Punct('}'), tail @ ..] => {
                rest = tail;
                break;
            }
            [Token::Str(key), Token::Punct(':'), Token::Str(value), tail @ ..] => {
                found.push((key.clone(), value.clone()));
                rest = match tail {
                    [Token::Punct(','), after @ ..] => after,
                    after @ [Token::Punct('}'), ..] => after,
                    other => return Err(format!("after {key:?}: expected ',' or '}}', found {:?}", other.first())),
                };
            }
            other => return Err(format!("expected 'key': 'value', found {:?}", &other[..other.len().min(3)])),
        }
    }
    match rest {
        [] | [Token::Punct(';')] => Ok(found),
        other => Err(format!("unexpected text after the object: {:?}", &other[..other.len().min(3)])),
    }
}

fn korean() -> BTreeMap<String, String> {
    entries(KOREAN).unwrap_or_else(|e| panic!("www/locales/charts.ko.js: {e}")).into_iter().collect()
}

#[test]
fn the_locale_reader_reads_what_it_should_and_refuses_the_rest() {
    let source = "// note\nexport default {\n  'a.b': '소프트 \\'x\\'', /* c */ \"c\": `d`\n};\n";
    assert_eq!(entries(source).unwrap(), vec![("a.b".into(), "소프트 'x'".into()), ("c".into(), "d".into())]);
    assert!(entries("export default { a: 'b' }").is_err(), "unquoted keys");
    assert!(entries("export default { 'a': 'b' ").is_err());
    assert!(entries("export default { 'a': `${x}` }").is_err());
    assert!(entries("const x = { 'a': 'b' }").is_err());
}

#[test]
fn every_chart_text_is_translated_and_nothing_else() {
    let found = entries(KOREAN).unwrap_or_else(|e| panic!("www/locales/charts.ko.js: {e}"));
    let mut seen = BTreeSet::new();
    for (key, _) in &found {
        assert!(seen.insert(key.as_str()), "{key:?} appears twice in charts.ko.js");
    }
    let korean = korean();
    for (key, english) in CHART_TEXT {
        let value = korean.get(*key).unwrap_or_else(|| panic!("charts.ko.js lacks {key:?} (English: {english:?})"));
        assert!(!value.trim().is_empty(), "{key:?} is empty in charts.ko.js");
    }
    let declared: BTreeSet<&str> = CHART_TEXT.iter().map(|(key, _)| *key).collect();
    for key in korean.keys() {
        assert!(declared.contains(key.as_str()), "charts.ko.js has {key:?}, which no chart draws");
    }
}

#[test]
fn translations_keep_the_placeholders_and_fit_the_limit() {
    let korean = korean();
    for (key, english) in CHART_TEXT {
        let value = &korean[*key];
        let mut wanted = placeholders(english);
        let mut got = placeholders(value);
        wanted.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, wanted, "{key:?}: {value:?} must carry the placeholders of {english:?}");
        assert!(
            value.chars().count() <= MAX_TRANSLATION_CHARS,
            "{key:?} is longer than {MAX_TRANSLATION_CHARS} characters"
        );
        // Text the charts draw on a Korean page should be Korean (formulas and symbols may stay).
        let has_letters =
            english.chars().filter(|c| c.is_ascii_alphabetic()).count() > 3 && english.split(' ').count() > 1;
        let hangul = value.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
        if has_letters {
            assert!(hangul, "{key:?}: {value:?} has no Korean");
        }
    }
}

#[test]
fn the_korean_map_is_what_the_charts_look_up() {
    let korean = korean();
    set_translations(korean.clone());
    let looked_up: Vec<(String, String)> = CHART_TEXT.iter().map(|(key, _)| (key.to_string(), text(key))).collect();
    let title = text_with("loss.title", &[("settings", "T = 4, α = 0.7")]);
    set_translations(BTreeMap::new());
    for (key, value) in looked_up {
        assert_eq!(value, korean[&key], "{key}");
    }
    assert_eq!(title, korean["loss.title"].replace("{settings}", "T = 4, α = 0.7"));
    assert_eq!(text("loss.title"), "Losses: distilled student vs control ({settings})");
}
