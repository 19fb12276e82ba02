/// What kind of bad input a call received (the `kind` of its error value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeKind {
    /// The argument array has the wrong number of elements.
    Arity,
    /// A value does not fit its parameter's type.
    Type,
    /// An integer is outside its parameter's range.
    Overflow,
    /// The bytes are not one well-formed MessagePack array.
    Malformed,
}

impl DecodeKind {
    /// The name used on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            DecodeKind::Arity => "arity",
            DecodeKind::Type => "type",
            DecodeKind::Overflow => "overflow",
            DecodeKind::Malformed => "malformed",
        }
    }
}

/// Why the arguments of a call did not decode: a value, never a panic.
///
/// `index` is the parameter's position when the failure belongs to one parameter;
/// the runtime adds its name and the function's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct DecodeError {
    /// What went wrong.
    pub kind: DecodeKind,
    /// The parameter's position, when one parameter is at fault.
    pub index: Option<usize>,
    /// What was sent, as a reader would name it (`string "x"`, `integer 300`).
    pub found: String,
    /// The decoder's own explanation, for failures inside a value.
    pub detail: String,
}

impl DecodeError {
    pub(crate) fn malformed(detail: impl Into<String>) -> Self {
        DecodeError {
            kind: DecodeKind::Malformed,
            index: None,
            found: String::new(),
            detail: detail.into(),
        }
    }

    /// Classifies an rmp-serde failure for the parameter at `index`, whose encoded
    /// bytes are `value` (their first byte tells what was sent at the top level).
    pub(crate) fn from_rmp(error: rmp_serde::decode::Error, index: usize, value: &[u8]) -> Self {
        use rmp_serde::decode::Error as E;
        let sent = top_level_kind(value);
        let (kind, found, detail) = match error {
            E::OutOfRange => (
                DecodeKind::Overflow,
                sent.to_owned(),
                "out of range".to_owned(),
            ),
            E::TypeMismatch(marker)
                if marker_name(marker) == sent
                    || (marker_name(marker) == "extension value" && sent.ends_with(')')) =>
            {
                (DecodeKind::Type, sent.to_owned(), String::new())
            }
            E::TypeMismatch(marker) => (
                DecodeKind::Type,
                sent.to_owned(),
                format!(
                    "it holds {} where the type does not allow one",
                    with_article(marker_name(marker))
                ),
            ),
            E::Syntax(text) | E::Uncategorized(text) => classify_serde_message(&text, sent),
            E::LengthMismatch(n) => (
                DecodeKind::Type,
                format!("an array of {n} elements"),
                String::new(),
            ),
            E::Utf8Error(e) => (
                DecodeKind::Malformed,
                sent.to_owned(),
                format!("invalid UTF-8: {e}"),
            ),
            E::DepthLimitExceeded => (
                DecodeKind::Malformed,
                sent.to_owned(),
                "nested too deeply".to_owned(),
            ),
            E::InvalidMarkerRead(e) | E::InvalidDataRead(e) => {
                (DecodeKind::Malformed, sent.to_owned(), e.to_string())
            }
        };
        DecodeError {
            kind,
            index: Some(index),
            found,
            detail,
        }
    }
}

/// Splits serde's "invalid type: string \"x\", expected i64" into what was found
/// and, when the problem lies deeper than the top-level value, serde's detail.
fn classify_serde_message(text: &str, sent: &'static str) -> (DecodeKind, String, String) {
    // An integer (or a float for `f32`) the type cannot hold.
    let overflow = text.starts_with("invalid value: integer")
        || text.starts_with("invalid value: floating point");
    let kind = if overflow {
        DecodeKind::Overflow
    } else {
        DecodeKind::Type
    };
    let found = text
        .strip_prefix("invalid type: ")
        .or_else(|| text.strip_prefix("invalid value: "))
        .and_then(|rest| rest.rsplit_once(", expected ").map(|(found, _)| found));
    match found {
        // The top-level value itself is the wrong kind: serde's words say it all.
        // (serde's "unit value" is the wire's nil, as other messages say.)
        Some("unit value") if sent == "nil" => (kind, sent.to_owned(), String::new()),
        Some(found) if found.starts_with(serde_word(sent)) => {
            (kind, found.replace('`', ""), String::new())
        }
        // An extension at the top level, which serde sees as a newtype
        // struct: what it carries says it all.
        Some("newtype struct") if sent.ends_with(')') => (kind, sent.to_owned(), String::new()),
        // The same, refused by one of the extension visitors, whose message
        // ("expected an object (MessagePack extension 5 …), but found
        // extension 1") repeats what `found` and `expected` already say.
        _ if sent.ends_with(')')
            && text.starts_with("expected ")
            && text.contains(", but found extension ") =>
        {
            (kind, sent.to_owned(), String::new())
        }
        _ => (kind, sent.to_owned(), text.to_owned()),
    }
}

/// How the first byte of an encoded value names it, in serde's vocabulary (a
/// big integer, extension 4, is an integer); the other extensions by what
/// they carry, not as serde sees them (a "newtype struct").
fn top_level_kind(value: &[u8]) -> &'static str {
    use ferryman_abi::{
        EXT_BIG_INT, EXT_FUTURE, EXT_HOST_OBJECT, EXT_LENT_BYTES, EXT_LIBRARY_CLOSURE, EXT_OBJECT,
        EXT_STREAM,
    };
    let tag = match value {
        [0xd4..=0xd8, tag, ..] | [0xc7, _, tag, ..] | [0xc8, _, _, tag, ..] => Some(*tag as i8),
        [0xc9, _, _, _, _, tag, ..] => Some(*tag as i8),
        _ => None,
    };
    match (tag, value) {
        (Some(EXT_BIG_INT), _) => "integer",
        (Some(EXT_HOST_OBJECT), _) => "a host function or value (extension 1)",
        (Some(EXT_LIBRARY_CLOSURE), _) => "a Rust closure (extension 2)",
        (Some(EXT_LENT_BYTES), _) => "lent bytes (extension 3)",
        (Some(EXT_OBJECT), _) => "an object (extension 5)",
        (Some(EXT_FUTURE), _) => "a future (extension 6)",
        (Some(EXT_STREAM), _) => "a stream (extension 7)",
        (_, [b, ..]) => marker_name(rmp::Marker::from_u8(*b)),
        (_, []) => "nothing",
    }
}

fn marker_name(marker: rmp::Marker) -> &'static str {
    use rmp::Marker as M;
    match marker {
        M::Null => "nil",
        M::True | M::False => "boolean",
        M::FixPos(_)
        | M::FixNeg(_)
        | M::U8
        | M::U16
        | M::U32
        | M::U64
        | M::I8
        | M::I16
        | M::I32
        | M::I64 => "integer",
        M::F32 | M::F64 => "floating point",
        M::FixStr(_) | M::Str8 | M::Str16 | M::Str32 => "string",
        M::Bin8 | M::Bin16 | M::Bin32 => "byte array",
        M::FixArray(_) | M::Array16 | M::Array32 => "sequence",
        M::FixMap(_) | M::Map16 | M::Map32 => "map",
        M::FixExt1
        | M::FixExt2
        | M::FixExt4
        | M::FixExt8
        | M::FixExt16
        | M::Ext8
        | M::Ext16
        | M::Ext32 => "extension value",
        M::Reserved => "reserved marker 0xc1",
    }
}

/// `an integer`, `a map`: a kind of value with its article.
fn with_article(name: &str) -> String {
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

/// The word serde's `Unexpected` uses for the same kind of value.
fn serde_word(sent: &'static str) -> &'static str {
    match sent {
        "nil" => "unit",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_of_value_gets_its_article() {
        assert_eq!(with_article("extension value"), "an extension value");
        assert_eq!(with_article("integer"), "an integer");
        assert_eq!(with_article("map"), "a map");
    }

    #[test]
    fn top_level_mismatch_keeps_serde_found_text() {
        let (kind, found, detail) =
            classify_serde_message("invalid type: string \"x\", expected i64", "string");
        assert_eq!(
            (kind, found.as_str(), detail.as_str()),
            (DecodeKind::Type, "string \"x\"", "")
        );
    }

    #[test]
    fn a_mismatch_inside_a_value_names_both_levels() {
        let map_with_string = [0x81, 0xa1, b'x', 0xa1, b's'];
        let e = DecodeError::from_rmp(
            rmp_serde::decode::Error::TypeMismatch(rmp::Marker::FixStr(1)),
            0,
            &map_with_string,
        );
        assert_eq!(e.found, "map");
        assert!(e.detail.contains("string"), "{}", e.detail);
        let e = DecodeError::from_rmp(
            rmp_serde::decode::Error::TypeMismatch(rmp::Marker::FixStr(1)),
            0,
            &[0xa1, b's'],
        );
        assert_eq!((e.found.as_str(), e.detail.as_str()), ("string", ""));
    }

    #[test]
    fn extensions_are_named_by_what_they_carry() {
        // An object (extension 5: 4-byte class id, 8-byte handle) where a
        // string was expected: serde's "newtype struct" is not the user's word.
        let object = [[0xc7, 12, 5].as_slice(), &[0; 12]].concat();
        let e = DecodeError::from_rmp(
            rmp_serde::decode::Error::Syntax(
                "invalid type: newtype struct, expected a string".into(),
            ),
            0,
            &object,
        );
        assert_eq!(
            (e.kind, e.found.as_str(), e.detail.as_str()),
            (DecodeKind::Type, "an object (extension 5)", "")
        );
        assert_eq!(
            top_level_kind(&[0xd7, 2, 0, 0, 0, 0, 0, 0, 0, 1]),
            "a Rust closure (extension 2)"
        );
        assert_eq!(
            top_level_kind(&[0xd7, 1, 0, 0, 0, 0, 0, 0, 0, 1]),
            "a host function or value (extension 1)"
        );
        assert_eq!(top_level_kind(&[0xd8, 4, 0]), "integer");
        assert_eq!(top_level_kind(&[0xd4, 9, 0]), "extension value");
        let e = DecodeError::from_rmp(
            rmp_serde::decode::Error::TypeMismatch(rmp::Marker::FixExt8),
            0,
            &[0xd7, 2, 0, 0, 0, 0, 0, 0, 0, 1],
        );
        assert_eq!(
            (e.found.as_str(), e.detail.as_str()),
            ("a Rust closure (extension 2)", "")
        );
    }

    #[test]
    fn out_of_range_integer_is_overflow() {
        let (kind, found, _) =
            classify_serde_message("invalid value: integer `300`, expected u8", "integer");
        assert_eq!(
            (kind, found.as_str()),
            (DecodeKind::Overflow, "integer 300")
        );
    }

    #[test]
    fn nested_problem_reports_the_top_level_kind_and_the_detail() {
        let (kind, found, detail) =
            classify_serde_message("invalid type: string \"x\", expected f64", "map");
        assert_eq!((kind, found.as_str()), (DecodeKind::Type, "map"));
        assert!(detail.contains("expected f64"));
        let (_, found, detail) = classify_serde_message("missing field `y`", "map");
        assert_eq!(
            (found.as_str(), detail.as_str()),
            ("map", "missing field `y`")
        );
    }
}
