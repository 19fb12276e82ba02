use crate::{variant_from_debug, ErrorFields, ErrorView, FieldsView, Frame, Message, OsError};
use serde::{Deserialize, Serialize};
use std::error::Error;

/// One error, as every host receives it (`spec/wire.md`, "Error values").
///
/// Every key is always present; `None` travels as nil.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorValue {
    pub kind: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub rust_type: Option<String>,
    pub message: String,
    pub function: Option<String>,
    pub param: Option<String>,
    pub index: Option<usize>,
    pub expected: Option<String>,
    pub found: Option<String>,
    pub variant: Option<String>,
    pub fields: Option<rmpv::Value>,
    /// The host-neutral category the library chose for its error type
    /// (`#[ferryman::error(base = "value")]`), `os` for `std::io::Error`.
    pub base: Option<String>,
    /// The error is an `std::io::Error` (or a box holding one).
    pub os_error: Option<OsError>,
    pub causes: Vec<Cause>,
    pub notes: Vec<String>,
    pub frames: Vec<Frame>,
    /// A host-side exception object this error stands for (see `spec/callbacks.md`).
    pub host_exception: Option<u64>,
}

/// One link of an error's `source()` chain.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Cause {
    #[serde(rename = "type")]
    pub type_name: Option<String>,
    pub message: String,
    /// The host exception object of this link, when it came from a callback.
    pub host_exception: Option<u64>,
    /// The link is an `std::io::Error`.
    pub os_error: Option<OsError>,
}

impl ErrorValue {
    /// A returned `Err`: `rust_type` is `type_name::<E>()`, the message its
    /// `Display`, the causes its `source()` chain.
    pub fn from_error(
        error: &(dyn Error + 'static),
        rust_type: &str,
        fields: Option<ErrorFields>,
    ) -> ErrorValue {
        let mut causes = Vec::new();
        let mut source = error.source();
        while let Some(cause) = source {
            causes.push(Cause {
                type_name: None,
                message: cause.to_string(),
                host_exception: None,
                os_error: OsError::of(cause),
            });
            source = cause.source();
        }
        let type_name = short_type_name(rust_type);
        let (variant, fields) = match fields {
            Some(f) => (f.variant.map(str::to_owned), Some(f.value())),
            // Not `Serialize`: an enum's `Debug` still names the variant.
            None => (
                variant_from_debug(error, rust_type, type_name).map(|v| v.as_str().to_owned()),
                None,
            ),
        };
        ErrorValue {
            kind: "error".to_owned(),
            type_name: type_name.to_owned(),
            rust_type: Some(rust_type.to_owned()),
            message: error.to_string(),
            variant,
            fields,
            os_error: OsError::of(error),
            causes,
            ..ErrorValue::default()
        }
    }

    /// This value, borrowed, for [`ErrorView::write`].
    pub fn view(&self) -> ErrorView<'_> {
        ErrorView {
            kind: &self.kind,
            type_name: &self.type_name,
            rust_type: self.rust_type.as_deref(),
            message: Message::Text(&self.message),
            function: self.function.as_deref(),
            param: self.param.as_deref(),
            index: self.index,
            expected: self.expected.as_deref(),
            found: self.found.as_deref(),
            variant: self.variant.as_deref(),
            fields: self.fields.as_ref().map(FieldsView::Value),
            base: self.base.as_deref(),
            os_error: self.os_error.as_ref(),
            causes: &self.causes,
            notes: &self.notes,
            first_frame: None,
            frames: &self.frames,
            host_exception: self.host_exception,
        }
    }

    /// Appends this value's MessagePack encoding to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        self.view().write(out);
    }

    /// A failure of the bridge itself (kind `internal`, `no_function`, …).
    pub fn bridge(kind: &str, message: impl Into<String>) -> ErrorValue {
        ErrorValue {
            kind: kind.to_owned(),
            type_name: "BridgeError".to_owned(),
            message: message.into(),
            ..ErrorValue::default()
        }
    }
}

/// `my_crate::errors::MathError<T>` → `MathError`; boxed trait objects → `Error`.
///
/// Cheap: it runs for every returned `Err`.
pub fn short_type_name(rust_type: &str) -> &str {
    let bytes = rust_type.as_bytes();
    // A plain path (most error types): its last segment. `contains` and
    // `rfind` of one ASCII byte are `memchr`/`memrchr`, a word at a time.
    if bytes.contains(&b'<') || bytes.contains(&b' ') {
        return short_generic_name(rust_type);
    }
    // `start` sits after an ASCII `:`, so it is a char boundary.
    let start = rust_type.rfind(':').map_or(0, |colon| colon + 1);
    &rust_type[start..]
}

/// [`short_type_name`] of a name with generics or a space.
#[cold]
fn short_generic_name(rust_type: &str) -> &str {
    let bytes = rust_type.as_bytes();
    // `dyn ` needs a space, which no plain path has.
    if bytes.contains(&b' ') && bytes.windows(4).any(|w| w == b"dyn ") {
        return "Error";
    }
    let end = bytes.iter().position(|&b| b == b'<').unwrap_or(bytes.len());
    let start = bytes[..end]
        .iter()
        .rposition(|&b| b == b':')
        .map_or(0, |colon| colon + 1);
    // Both ends sit next to ASCII `:` and `<`, so they are char boundaries.
    &rust_type[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("config is broken")]
    struct Config(#[source] std::io::Error);

    #[test]
    fn source_chain_becomes_causes_nearest_first() {
        let err = Config(std::io::Error::other("disk on fire"));
        let value = ErrorValue::from_error(&err, std::any::type_name::<Config>(), None);
        assert_eq!(value.kind, "error");
        assert_eq!(value.type_name, "Config");
        assert_eq!(value.message, "config is broken");
        assert_eq!(value.causes.len(), 1);
        assert_eq!(value.causes[0].message, "disk on fire");
        assert_eq!(value.causes[0].os_error.as_ref().unwrap().kind, "other");
        assert_eq!(value.os_error, None);
    }

    #[test]
    fn an_io_error_is_an_os_error() {
        let err = std::io::Error::from_raw_os_error(13);
        let value = ErrorValue::from_error(&err, "std::io::error::Error", None);
        let os = value.os_error.unwrap();
        assert_eq!(
            (os.errno, os.kind.as_str()),
            (Some(13), "permission_denied")
        );
    }

    #[test]
    fn short_names() {
        assert_eq!(short_type_name("a::b::MathError"), "MathError");
        assert_eq!(short_type_name("a::Wrapper<b::C>"), "Wrapper");
        assert_eq!(short_type_name("Plain"), "Plain");
        assert_eq!(short_type_name("a::b::C<d::E<f::G>>"), "C");
        assert_eq!(short_type_name("é::Ünïcode"), "Ünïcode");
        assert_eq!(short_type_name("std::io::Error"), "Error");
        assert_eq!(
            short_type_name("alloc::boxed::Box<dyn core::error::Error + Send + Sync>"),
            "Error"
        );
    }

    #[test]
    fn every_key_is_present_on_the_wire() {
        let bytes = rmp_serde::to_vec_named(&ErrorValue::bridge("internal", "x")).unwrap();
        let value: rmpv::Value = rmp_serde::from_slice(&bytes).unwrap();
        let keys: Vec<_> = value
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str().unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "kind",
                "type",
                "rust_type",
                "message",
                "function",
                "param",
                "index",
                "expected",
                "found",
                "variant",
                "fields",
                "base",
                "os_error",
                "causes",
                "notes",
                "frames",
                "host_exception"
            ]
        );
    }
}
