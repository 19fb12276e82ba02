use serde::{Deserialize, Deserializer, Serialize};

/// One place in the code, outermost first in an error value's `frames`.
/// `line` and `column` are 1-based, `0` when unknown (`spec/wire.md`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Frame {
    pub function: String,
    pub file: String,
    #[serde(deserialize_with = "zero_if_nil")]
    pub line: u32,
    #[serde(deserialize_with = "zero_if_nil")]
    pub column: u32,
    pub language: String,
}

/// A host without columns (or lines) may send nil: it means unknown, `0`.
fn zero_if_nil<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    Ok(Option::<u32>::deserialize(d)?.unwrap_or(0))
}

impl Frame {
    /// A frame of Rust code.
    pub fn rust(
        function: impl Into<String>,
        file: impl Into<String>,
        line: u32,
        column: u32,
    ) -> Frame {
        Frame {
            function: function.into(),
            file: file.into(),
            line,
            column,
            language: "rust".to_owned(),
        }
    }
}

/// Symbols that belong to the panic machinery, the backtrace capture or the
/// bridge: a panic's frames start after the innermost of these.
const MACHINERY: &[&str] = &[
    "rust_begin_unwind",
    "std::panicking::",
    "core::panicking::",
    "std::panic::",
    "core::panic::",
    "backtrace::",
    "ferryman_error::",
    "<alloc::boxed::Box<F,A> as core::ops::function::Fn",
];

/// The functions a panic's frames end at: the shim `#[export]` generates for
/// each exported function, and the one the runtime calls a closure through.
const SHIMS: &[&str] = &["__ferryman_shim", "__ferryman_closure_shim"];

fn is_shim(name: &str) -> bool {
    SHIMS.iter().any(|shim| name.contains(shim))
}

/// The user's frames of a panic backtrace, outermost first: after the panic
/// machinery, before the innermost shim, without std/core/alloc internals and
/// without the runtime's own dispatch code.
///
/// Frames are resolved one by one and resolution stops at the shim: the host's
/// frames beyond it (a whole interpreter) are never symbolised, which keeps a
/// panic cheap and the debug-info cache warm.
pub(crate) fn user_frames(backtrace: &backtrace::Backtrace) -> Vec<Frame> {
    let mut all = Vec::new();
    'frames: for frame in backtrace.frames() {
        let mut symbols = Vec::new();
        backtrace::resolve(frame.ip(), |symbol| {
            let name = symbol.name().map(|n| format!("{n:#}")).unwrap_or_default();
            let file = symbol.filename().map(|f| f.display().to_string());
            symbols.push((
                name,
                file,
                symbol.lineno().unwrap_or(0),
                symbol.colno().unwrap_or(0),
            ));
        });
        for symbol in symbols {
            let at_shim = is_shim(&symbol.0);
            all.push(symbol);
            if at_shim {
                break 'frames;
            }
        }
    }
    let end = all
        .iter()
        .position(|(name, ..)| is_shim(name))
        .unwrap_or(all.len());
    let start = all[..end]
        .iter()
        .rposition(|(name, ..)| MACHINERY.iter().any(|m| name.contains(m)))
        .map_or(0, |i| i + 1);
    let mut frames: Vec<Frame> = all[start..end]
        .iter()
        .filter(|(name, file, line, _)| {
            file.as_deref().is_some_and(|f| !is_std_file(f))
                && *line > 0
                && !is_std(name)
                && !is_runtime(name, file.as_deref().unwrap_or_default())
        })
        .map(|(name, file, line, col)| {
            Frame::rust(
                short_function_name(name),
                file.clone().unwrap_or_default(),
                *line,
                *col,
            )
        })
        .collect();
    frames.reverse();
    frames
}

/// Sources of the standard library, wherever the toolchain put them.
fn is_std_file(file: &str) -> bool {
    file.starts_with("/rustc/") || file.contains("/rustlib/src/rust/library/")
}

fn is_std(name: &str) -> bool {
    let name = name.trim_start_matches('<');
    ["core::", "std::", "alloc::"]
        .iter()
        .any(|p| name.starts_with(p))
}

/// The runtime's code between a user's function and a shim (decoding arguments,
/// writing results, the erased wrapper around a closure): never the user's.
/// `ferryman_runtime::…` and its trait impls `<T as ferryman_runtime::…>::…`, or,
/// for code inlined in an optimised build (whose debug info names it without its
/// path, `{closure_env#0}`), a source file of the `ferryman-runtime` crate.
fn is_runtime(name: &str, file: &str) -> bool {
    name.trim_start_matches('<')
        .starts_with("ferryman_runtime::")
        || name.contains(" as ferryman_runtime::")
        || is_runtime_file(file)
}

/// `…/crates/ferryman-runtime/src/x.rs`, `…/ferryman-runtime-0.1.0/src/x.rs`.
fn is_runtime_file(file: &str) -> bool {
    let mut parts = file.split(['/', '\\']).peekable();
    while let Some(part) = parts.next() {
        let crate_dir = part == "ferryman-runtime"
            || part
                .strip_prefix("ferryman-runtime-")
                .is_some_and(|version| version.starts_with(|c: char| c.is_ascii_digit()));
        if crate_dir && parts.peek() == Some(&"src") {
            return true;
        }
    }
    false
}

/// `my_crate::geometry::area::{{closure}}` → `area::{{closure}}`; `my_crate::f` → `f`.
pub(crate) fn short_function_name(path: &str) -> String {
    let segments: Vec<&str> = path.split("::").collect();
    let keep = segments
        .iter()
        .rposition(|s| !s.starts_with("{{"))
        .unwrap_or(0);
    segments[keep..].join("::")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_without_column_or_line_reads_as_zero() {
        let bytes = rmp_serde::to_vec_named(&rmpv::Value::Map(vec![
            ("function".into(), "main.handler".into()),
            ("file".into(), "main.go".into()),
            ("line".into(), rmpv::Value::Nil),
            ("column".into(), rmpv::Value::Nil),
            ("language".into(), "go".into()),
        ]))
        .unwrap();
        let frame: Frame = rmp_serde::from_slice(&bytes).unwrap();
        assert_eq!(
            (frame.line, frame.column, frame.language.as_str()),
            (0, 0, "go")
        );
        let bytes =
            rmp_serde::to_vec_named(&rmpv::Value::Map(vec![("line".into(), 7.into())])).unwrap();
        let frame: Frame = rmp_serde::from_slice(&bytes).unwrap();
        assert_eq!((frame.line, frame.column), (7, 0));
    }

    #[test]
    fn runtime_frames_are_recognised() {
        let user = "/src/fixture/src/lib.rs";
        assert!(is_runtime("ferryman_runtime::call::Call::ok", user));
        assert!(is_runtime(
            "<fixture::adder::{{closure}} as ferryman_runtime::callback::into_callback::IntoCallback<(i64,),i64>>::into_closure::{{closure}}",
            user
        ));
        assert!(is_runtime(
            "<ferryman_runtime::kind::Kind<T> as ferryman_runtime::kind::OkSerde<T>>::ok",
            user
        ));
        assert!(!is_runtime("fixture::adder::{{closure}}", user));
        assert!(!is_runtime(
            "fixture::apply<ferryman_runtime::callback::Callback<(i64,),i64>>",
            user
        ));
        for file in [
            "/work/repo/crates/ferryman-runtime/src/callback/into_callback.rs",
            "crates/ferryman-runtime/src/call.rs",
            "/home/u/.cargo/registry/src/index.crates.io-1/ferryman-runtime-0.1.0/src/call.rs",
        ] {
            assert!(is_runtime("{closure_env#0}<F, i64>", file), "{file}");
        }
        assert!(!is_runtime(
            "{closure#0}",
            "/work/ferryman-runtime-tests/src/lib.rs"
        ));
    }

    #[test]
    fn both_shims_end_the_frames() {
        assert!(is_shim("fixture::add::_::__ferryman_shim"));
        assert!(is_shim(
            "ferryman_runtime::callback::closure::__ferryman_closure_shim"
        ));
        assert!(!is_shim("fixture::add"));
    }

    #[test]
    fn short_names_keep_closures() {
        assert_eq!(short_function_name("a::b::area"), "area");
        assert_eq!(
            short_function_name("a::b::area::{{closure}}"),
            "area::{{closure}}"
        );
    }
}
