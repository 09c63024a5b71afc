//! The page's settings (`Settings::from_values`, `validation_errors`, `Settings::check_live`),
//! from a JSON object of name → number or text, as the page and a URL send them: any values give
//! settings or errors, never a panic, and valid settings survive `to_values` unchanged.
#![no_main]

use std::collections::BTreeMap;

use kd_playground::settings::{Settings, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(serde_json::Value::Object(object)) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let mut values = BTreeMap::new();
    for (name, value) in object {
        let value = match value {
            // Every JSON number, as the page's f64 (big integers round, as in JavaScript).
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(text) => Value::Text(text),
            // Anything else is sent as its text.
            other => Value::Text(other.to_string()),
        };
        values.insert(name, value);
    }
    let errors = kd_playground::settings::validation_errors(&values);
    for (name, value) in &values {
        if let Value::Number(number) = value {
            let _ = Settings::check_live(name, *number);
        }
    }
    match Settings::from_values(&values) {
        Ok(settings) => {
            assert!(errors.is_empty(), "valid settings with errors {errors:?}");
            let again = Settings::from_values(&settings.to_values());
            assert_eq!(again.as_ref().ok(), Some(&settings), "to_values does not round-trip: {again:?}");
        }
        Err(_) => assert!(!errors.is_empty(), "invalid settings without errors"),
    }
});
