use serde::{Deserialize, Serialize};

/// One place in the code, outermost first in an error value's `frames`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Frame {
    pub function: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub language: String,
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

/// The user's frames of a panic backtrace, outermost first: after the panic
/// machinery, before the generated shim, without std/core/alloc internals.
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
            let at_shim = symbol.0.contains("__ferryman_shim");
            all.push(symbol);
            if at_shim {
                break 'frames;
            }
        }
    }
    let end = all
        .iter()
        .position(|(name, ..)| name.contains("__ferryman_shim"))
        .unwrap_or(all.len());
    let start = all[..end]
        .iter()
        .rposition(|(name, ..)| MACHINERY.iter().any(|m| name.contains(m)))
        .map_or(0, |i| i + 1);
    let mut frames: Vec<Frame> = all[start..end]
        .iter()
        .filter(|(name, file, line, _)| {
            file.as_deref().is_some_and(|f| !is_std_file(f)) && *line > 0 && !is_std(name)
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
    fn short_names_keep_closures() {
        assert_eq!(short_function_name("a::b::area"), "area");
        assert_eq!(
            short_function_name("a::b::area::{{closure}}"),
            "area::{{closure}}"
        );
    }
}
