//! What `serde_json` lets through and a corpus must not have: a duplicate key in an object
//! (`serde_json` keeps the last value silently, so `"restart_count": 14, "restart_count": 0`
//! would load as 0; the YAML parser already rejects duplicates) and a leading byte order mark
//! (OpenSRE's `json.load` refuses one too). [`check`] walks the document once without building
//! it, borrowing keys where it can, and names the key with its line and column.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Checks JSON `text` for a byte order mark and duplicate keys. A syntax error is left to the
/// real parse (which says it the same way); only these two are reported here.
pub fn check(text: &str) -> Result<(), String> {
    refuse_bom(text)?;
    let mut de = serde_json::Deserializer::from_str(text);
    match Walk.deserialize(&mut de) {
        Ok(()) => Ok(()),
        Err(e) if e.is_data() => Err(e.to_string()),
        Err(_) => Ok(()),
    }
}

/// Parses JSON `text` into a value with the checks of [`check`] made in the same pass: one walk
/// of the text instead of a check and then a parse. Errors are the same as a [`check`] followed
/// by `serde_json::from_str` would give (the first problem in the text, with its line and
/// column).
pub fn parse(text: &str) -> Result<serde_json::Value, String> {
    refuse_bom(text)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Build.deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// A leading byte order mark is refused (OpenSRE's `json.load` refuses one too).
fn refuse_bom(text: &str) -> Result<(), String> {
    if text.starts_with('\u{feff}') {
        return Err(
            "starts with a UTF-8 byte order mark (BOM), which JSON parsers (OpenSRE's included) \
             refuse: save the file without it"
                .to_owned(),
        );
    }
    Ok(())
}

/// Builds any value; objects are checked for repeated keys as they are built.
#[derive(Clone, Copy)]
struct Build;

impl<'de> DeserializeSeed<'de> for Build {
    type Value = serde_json::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<serde_json::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Build {
    type Value = serde_json::Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<serde_json::Value, E> {
        Ok(serde_json::Number::from_f64(v)
            .map_or(serde_json::Value::Null, serde_json::Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E>(self) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<serde_json::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<serde_json::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(Build)? {
            items.push(v);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<serde_json::Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(Key(k)) = map.next_key_seed(KeySeed)? {
            if out.contains_key(k.as_ref()) {
                return Err(de::Error::custom(format_args!("duplicate key \"{k}\"")));
            }
            let v = map.next_value_seed(Build)?;
            out.insert(k.into_owned(), v);
        }
        Ok(serde_json::Value::Object(out))
    }
}

/// Visits any value; objects are checked for repeated keys, recursively.
#[derive(Clone, Copy)]
struct Walk;

impl<'de> DeserializeSeed<'de> for Walk {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// An object key, borrowed from the text unless it has escapes.
struct Key<'de>(Cow<'de, str>);

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key<'de>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }
}

impl<'de> Visitor<'de> for Walk {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_i128<E>(self, _: i128) -> Result<(), E> {
        Ok(())
    }
    fn visit_u128<E>(self, _: u128) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Walk)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Objects are small: a linear scan beats hashing until they are not.
        let mut keys: Vec<Cow<'de, str>> = Vec::new();
        let mut set: Option<std::collections::HashSet<Cow<'de, str>>> = None;
        while let Some(Key(k)) = map.next_key_seed(KeySeed)? {
            let seen = match &mut set {
                Some(s) => !s.insert(k.clone()),
                None => keys.contains(&k),
            };
            if seen {
                return Err(de::Error::custom(format_args!("duplicate key \"{k}\"")));
            }
            if set.is_none() {
                keys.push(k);
                if keys.len() > 32 {
                    set = Some(keys.drain(..).collect());
                }
            }
            map.next_value_seed(Walk)?;
        }
        Ok(())
    }
}

/// A JSON value's kind, for messages: `expected a string, got a list`.
#[must_use]
pub fn kind(v: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    /// One pass gives what the check and then `serde_json` give, for good and bad text alike.
    #[test]
    fn parse_agrees_with_check_then_serde_json() {
        let texts = [
            "{\"a\": [1, -2, 3.5, true, null, \"x\\u00e9\"], \"b\": {\"c\": {}}}",
            "{\n  \"pods\": [\n    {\"restart_count\": 14,\n     \"restart_count\": 0}\n  ]\n}",
            "{\"a\": 1,}",
            "{\"a\": 1} trailing",
            "{\"a\\u0062\": 1, \"ab\": 2}",
            "\u{feff}{}",
            "[1e400]",
            "18446744073709551615",
            "",
        ];
        for text in texts {
            let two = check(text).and_then(|()| {
                serde_json::from_str::<serde_json::Value>(text).map_err(|e| e.to_string())
            });
            assert_eq!(super::parse(text), two, "{text:?}");
        }
    }

    #[test]
    fn duplicates_are_named_with_their_line_at_any_depth() {
        let text =
            "{\n  \"pods\": [\n    {\"restart_count\": 14,\n     \"restart_count\": 0}\n  ]\n}";
        let e = check(text).unwrap_err();
        assert!(
            e.starts_with("duplicate key \"restart_count\" at line 4"),
            "{e}"
        );
        let many: String = (0..40).map(|i| format!("\"k{i}\": {i}, ")).collect();
        let e = check(&format!("{{{many}\"k7\": 1}}")).unwrap_err();
        assert!(e.starts_with("duplicate key \"k7\""), "{e}");
        // Escaped and plain spellings of one key are the same key.
        assert!(check(r#"{"a": 1, "\u0061": 2}"#).is_err());
        assert_eq!(
            check(r#"{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}"#),
            Ok(())
        );
        assert_eq!(check("{not json"), Ok(()), "syntax is the parser's job");
    }

    #[test]
    fn a_bom_is_named() {
        let e = check("\u{feff}{}").unwrap_err();
        assert!(e.contains("byte order mark"), "{e}");
    }
}
