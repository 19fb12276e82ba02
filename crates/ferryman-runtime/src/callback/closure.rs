//! One Rust closure with its types erased, and where it was made: how it runs
//! (inside a panic guard, behind the `__ferryman_closure_shim` frame where a
//! panic's frames end) and how its failures are reported.

use crate::callback::error::{callback_value, mark_callback_causes, unwound_exception_for_host};
use crate::callback::resolver::RESOLVER_ARGS;
use crate::object::iter::ITERATOR_ARGS;
use crate::report::write_error;
use ferryman_abi::Status;
use ferryman_buffer::Sink;
use ferryman_error::{catch_panic, ErrorFields, ErrorValue, Frame};
use ferryman_wire::{DecodeError, DecodeKind, Lending};
use std::error::Error;
use std::panic::Location;

/// The closure's code with its types erased: MessagePack argument array in
/// (lent bytes trusted as `Lending` says), one value or error value out.
pub(crate) type ErasedFn = dyn Fn(&[u8], Lending, &mut Sink<'_>, &Site) -> Status + Send + Sync;

/// A closure a [`crate::Callback`] holds: its site and its code, in one
/// allocation (an `Arc<Closure<F>>` coerces to `Arc<Closure>`).
#[doc(hidden)]
pub struct Closure<F: ?Sized = ErasedFn> {
    pub(crate) site: Site,
    pub(crate) function: F,
}

/// What a closure is, for frames and messages. Only `'static` strings, so that
/// making a closure costs no allocation; text is built when something fails.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Site {
    /// `type_name` of the closure: `my_crate::adder::{{closure}}`.
    pub(crate) closure: &'static str,
    /// Where `Callback::new` was called.
    pub(crate) location: &'static Location<'static>,
    /// `type_name` of its argument tuple, and how many arguments that is.
    pub(crate) args: &'static str,
    pub(crate) arity: usize,
    /// `type_name` of what it returns, `Result` included.
    pub(crate) returns: &'static str,
}

impl<F: ?Sized> std::fmt::Debug for Closure<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Closure")
            .field("site", &self.site)
            .finish_non_exhaustive()
    }
}

impl Site {
    /// `adder::{{closure}}`: the closure's path from its enclosing function on.
    pub(crate) fn name(&self) -> &'static str {
        if self.args == RESOLVER_ARGS {
            return "AsyncCallback::resolve";
        }
        closure_name(self.closure)
    }

    /// How messages name it: `` `adder()`'s closure `` after the function that
    /// made it, or `` `double()` `` for a plain function passed as a closure.
    pub(crate) fn shown(&self) -> String {
        if self.args == RESOLVER_ARGS {
            return "an async callback's resolver".to_owned();
        }
        if self.args == ITERATOR_ARGS {
            return format!("`{}()`'s iterator", self.name());
        }
        let name = self.name();
        match name.find("::{{closure}}") {
            Some(end) => format!("`{}()`'s closure", &name[..end]),
            None => format!("`{name}()`"),
        }
    }

    /// The frame that stands for the closure: its name, where it was made.
    pub(crate) fn frame(&self) -> Frame {
        Frame::rust(
            self.name(),
            self.location.file(),
            self.location.line(),
            self.location.column(),
        )
    }

    /// `(String, i64) -> Result<f64, MathError>`.
    pub(crate) fn signature(&self) -> String {
        if self.args == crate::object::iter::ITERATOR_ARGS {
            return format!("iterator of {}", readable_type(self.returns));
        }
        if self.args == RESOLVER_ARGS {
            return format!("resolver of {}", readable_type(self.returns));
        }
        format!(
            "{} -> {}",
            readable_type(self.args),
            readable_type(self.returns)
        )
    }
}

/// Runs `closure`, turning a panic into an error value in `sink`.
pub(crate) fn run(closure: &Closure, args: &[u8], lending: Lending, sink: &mut Sink<'_>) -> Status {
    match catch_panic(|| __ferryman_closure_shim(closure, args, lending, sink)) {
        Ok(status) => status,
        Err(panicked) => {
            let mut value = *panicked.0;
            // A callback's exception dropped while unwinding becomes the
            // panic's context (`spec/callbacks.md`, "Exception handles").
            value.host_exception = unwound_exception_for_host();
            let site = &closure.site;
            value.function = Some(site.name().to_owned());
            if value.frames.iter().all(|f| f.function == "<panic>") {
                // Without a backtrace, say which closure panicked.
                value.frames.insert(0, site.frame());
            } else if let Some(body) = value.frames.first_mut() {
                // The outermost frame is the closure's body; an optimised build's
                // debug info names an inlined closure without its path (`{closure#0}`).
                if body.function.starts_with('{') {
                    body.function = site.name().to_owned();
                }
            }
            sink.clear();
            write_error(sink, &value);
            Status::Panic
        }
    }
}

/// The frame a closure's panic stops at (`ferryman_error` trims there, so the
/// caller's frames — a whole interpreter — are neither reported nor symbolised).
#[inline(never)]
fn __ferryman_closure_shim(
    closure: &Closure,
    args: &[u8],
    lending: Lending,
    sink: &mut Sink<'_>,
) -> Status {
    let status = (closure.function)(args, lending, sink, &closure.site);
    // Code after the call keeps it from becoming a tail call, which would take
    // this frame off the stack.
    std::hint::black_box(status)
}

/// Writes the `Err` a closure returned: like an exported function's, with the
/// closure's frame; a callback's error comes out as the host's own exception
/// with the closure's frame in front of the callback's frames.
#[cold]
pub(crate) fn write_err(
    sink: &mut Sink<'_>,
    site: &Site,
    error: Box<dyn Error + Send + Sync + 'static>,
    rust_type: &str,
    fields: Option<ErrorFields>,
) -> Status {
    let error: &(dyn Error + 'static) = &*error;
    let mut value = callback_value(error, || site.shown()).unwrap_or_else(|| {
        let mut value = ErrorValue::from_error(error, rust_type, fields);
        value.base = crate::error_base::error_base(rust_type).map(str::to_owned);
        mark_callback_causes(error, &mut value);
        value
    });
    value.function = Some(site.name().to_owned());
    value.frames.insert(0, site.frame());
    sink.clear();
    write_error(sink, &value);
    Status::Error
}

/// Writes the argument error for arguments the closure cannot take;
/// `expected` is the type of the argument at fault, when one is.
#[cold]
pub(crate) fn write_bad_args(
    sink: &mut Sink<'_>,
    site: &Site,
    e: &DecodeError,
    expected: Option<&str>,
) -> Status {
    let name = site.name();
    let shown = site.shown();
    let mut value = ErrorValue::bridge(e.kind.as_str(), String::new());
    value.type_name = "ArgumentError".to_owned();
    value.function = Some(name.to_owned());
    value.index = e.index;
    value.found = (!e.found.is_empty()).then(|| e.found.clone());
    value.frames.push(site.frame());
    let detail = if e.detail.is_empty() {
        String::new()
    } else {
        format!(": {}", e.detail)
    };
    value.message = match (e.kind, e.index) {
        (DecodeKind::Arity, _) => {
            let n = site.arity;
            let s = if n == 1 { "" } else { "s" };
            value.expected = Some(format!("{n} argument{s}"));
            let takes = match site.args {
                // An iterator's closure takes how many items to pull.
                ITERATOR_ARGS => "(how many items to pull, a u32)".to_owned(),
                args => readable_type(args),
            };
            format!(
                "{shown} takes {n} argument{s} {takes} but was given {}",
                e.found
            )
        }
        (DecodeKind::Malformed, _) => format!("{shown} arguments are malformed{detail}"),
        (kind, Some(i)) => {
            value.expected = expected.map(readable_type);
            let overflow = if kind == DecodeKind::Overflow {
                ", which is out of range"
            } else {
                ""
            };
            format!(
                "{shown} argument {i}: expected {}, but found {}{overflow}{}",
                value.expected.as_deref().unwrap_or("another value"),
                e.found,
                if e.detail == "out of range" {
                    ""
                } else {
                    &detail
                }
            )
        }
        (_, None) => format!("{shown} arguments: {}{detail}", e.found),
    };
    sink.clear();
    write_error(sink, &value);
    Status::BadArgs
}

/// `my_crate::geometry::scaler::{{closure}}` → `scaler::{{closure}}`; a plain
/// function passed as a closure keeps its own name.
fn closure_name(path: &str) -> &str {
    // Where each segment starts, counting only `::` outside generic arguments.
    let mut starts = vec![0];
    let mut depth = 0i32;
    let bytes = path.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'<' => depth += 1,
            b'>' => depth -= 1,
            b':' if depth == 0 && i > 0 && bytes[i - 1] == b':' => starts.push(i + 1),
            _ => {}
        }
    }
    let keep = starts
        .iter()
        .rev()
        .find(|&&start| !path[start..].starts_with("{{"))
        .copied()
        .unwrap_or(0);
    &path[keep..]
}

/// A Rust type as a reader would write it: paths dropped from every name
/// (`alloc::vec::Vec<alloc::string::String>` → `Vec<String>`), and a one-tuple
/// of arguments without its comma (`(i64,)` → `(i64)`).
pub(crate) fn readable_type(type_name: &str) -> String {
    let mut out = String::with_capacity(type_name.len());
    let mut rest = type_name;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("::") {
            // Drop the path segment before it.
            let kept = out
                .trim_end_matches(|c: char| c.is_alphanumeric() || c == '_')
                .len();
            out.truncate(kept);
            rest = &rest[2..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if out.starts_with('(') && out.ends_with(",)") && top_level_commas(&out) == 1 {
        out.replace_range(out.len() - 2.., ")");
    }
    out
}

/// How many commas `text` has outside any brackets but its outermost ones.
fn top_level_commas(text: &str) -> usize {
    let mut depth = 0i32;
    let mut commas = 0;
    for c in text.chars() {
        match c {
            '(' | '<' | '[' => depth += 1,
            ')' | '>' | ']' => depth -= 1,
            ',' if depth == 1 => commas += 1,
            _ => {}
        }
    }
    commas
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closure_names_start_at_the_enclosing_function() {
        assert_eq!(
            closure_name("a::b::adder::{{closure}}"),
            "adder::{{closure}}"
        );
        assert_eq!(
            closure_name("a::b::adder::{{closure}}::{{closure}}"),
            "adder::{{closure}}::{{closure}}"
        );
        assert_eq!(closure_name("a::b::double"), "double");
        assert_eq!(closure_name("double"), "double");
        assert_eq!(
            closure_name("a::make<alloc::string::String>::{{closure}}"),
            "make<alloc::string::String>::{{closure}}"
        );
    }

    #[test]
    fn readable_types_drop_paths() {
        assert_eq!(readable_type("(i64,)"), "(i64)");
        assert_eq!(
            readable_type("(alloc::string::String, alloc::string::String)"),
            "(String, String)"
        );
        assert_eq!(
            readable_type("core::result::Result<f64, my_crate::errors::MathError>"),
            "Result<f64, MathError>"
        );
        assert_eq!(readable_type("(alloc::vec::Vec<(i64,)>,)"), "(Vec<(i64,)>)");
        assert_eq!(readable_type("()"), "()");
    }
}
