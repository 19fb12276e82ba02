//! Every argument error message the Python host shows, in one style: the
//! Rust side's `divide() argument 'b': expected i64, but found string "two"`,
//! with Python's own words for binding (`divide() missing 1 required
//! argument: 'b'`). It names only what a user wrote or sees: the function,
//! the parameter, `closure()` for a closure a library returned (never its
//! Rust path), and a callback by its `__qualname__`.
//!
//! The arguments the host refuses before a call (a Python object it cannot
//! send, an int too wide, a wrong count) are built here, and so are the
//! messages of the library's own argument errors, rewritten from the error
//! value's `function`, `param`, `index`, `expected` and `found`.

use ferryman_host::{ErrorKind, ErrorValueRef};
use pyo3::prelude::*;

use crate::errors::host_error::HostError;
use crate::values::encode_error::{EncodeError, Located};
use crate::values::limits::MAX_DEPTH;

/// What is being called, as the user knows it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Callee<'a> {
    /// An exported function, by its name.
    Function(&'a str),
    /// A closure a library returned.
    Closure,
}

impl<'a> Callee<'a> {
    /// `divide()`, `closure()`.
    pub(crate) fn call_text(self) -> String {
        match self {
            Callee::Function(name) => format!("{name}()"),
            Callee::Closure => "closure()".to_owned(),
        }
    }

    /// The error value's `function`: the name, or `closure`.
    pub(crate) fn function_key(self) -> &'a str {
        match self {
            Callee::Function(name) => name,
            Callee::Closure => "closure",
        }
    }
}

/// Which argument: by name (functions) or by position (closures).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Argument<'a> {
    Named(&'a str),
    Position(usize),
}

/// `divide() argument 'b'`, `closure() argument 1`.
fn argument_text(callee: Callee<'_>, argument: Argument<'_>) -> String {
    match argument {
        Argument::Named(name) => format!("{} argument '{name}'", callee.call_text()),
        Argument::Position(index) => format!("{} argument {index}", callee.call_text()),
    }
}

/// What is wrong with a value that did not encode, after `expected {T}, but`:
/// the kind, what was found (the error value's `found`), and the rest of the
/// sentence. `Err` for an exception Python raised while reading the value.
fn unsendable_value(located: Located) -> (&'static str, Option<String>, String) {
    let place = located.path_text();
    match located.error {
        EncodeError::Unsupported(found) => {
            let text = format!("found {found}{place}");
            ("type", Some(found), text)
        }
        EncodeError::Overflow(found) => {
            let text = format!("found {found}{place}, which is out of range");
            ("overflow", Some(found), text)
        }
        EncodeError::WrongItems { found, why } => {
            let text = format!("found {found}{place}, {why}");
            ("type", Some(found), text)
        }
        EncodeError::Invalid(what) => ("type", None, format!("found {what}{place}")),
        EncodeError::TooDeep => (
            "type",
            None,
            format!("found a value nested deeper than {MAX_DEPTH} levels (is it cyclic?)"),
        ),
        EncodeError::Closed(class) => {
            let text = format!(
                "found a closed {class} object{place} (closed by close() or a with block; \
                 it cannot be used any more)"
            );
            ("closed", Some(format!("a closed {class} object")), text)
        }
        EncodeError::Python(error) => {
            let raised = Python::attach(|py| describe_exception(py, &error));
            ("type", None, format!("reading it{place} raised {raised}"))
        }
    }
}

/// `ValueError: no index today`.
fn describe_exception(py: Python<'_>, error: &PyErr) -> String {
    let value = error.value(py);
    let type_name = value
        .get_type()
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "Exception".to_owned());
    match value.str() {
        Ok(text) if !text.to_string_lossy().is_empty() => {
            format!("{type_name}: {}", text.to_string_lossy())
        }
        _ => type_name,
    }
}

/// An argument that did not encode: `add() argument 'a': expected i64, but
/// found object`. `expected` is the parameter's Rust type, when known.
pub(crate) fn unsendable(
    callee: Callee<'_>,
    argument: Argument<'_>,
    index: usize,
    expected: Option<&str>,
    located: Located,
) -> Box<HostError> {
    let (kind, found, rest) = unsendable_value(located);
    let wanted = expected.unwrap_or(ANY_VALUE);
    let param = match argument {
        Argument::Named(name) => Some(name.to_owned()),
        Argument::Position(_) => None,
    };
    Box::new(HostError {
        param,
        index: Some(index),
        expected: expected.map(str::to_owned),
        found,
        ..HostError::new(
            kind,
            format!(
                "{}: expected {wanted}, but {rest}",
                argument_text(callee, argument)
            ),
        )
    })
}

/// What a value of no known type must be.
const ANY_VALUE: &str = "a value ferryman can send";

/// A callback's result that did not encode: `callback 'double' result:
/// expected a value ferryman can send, but found object`, as `(kind, found,
/// message)`.
pub(crate) fn unsendable_result(
    callback: &str,
    located: Located,
) -> (&'static str, Option<String>, String) {
    let (kind, found, rest) = unsendable_value(located);
    (
        kind,
        found,
        format!("{callback} result: expected {ANY_VALUE}, but {rest}"),
    )
}

/// A value given to `pack()` (tests and debugging) that did not encode.
pub(crate) fn unpackable(located: Located) -> String {
    let (_, _, rest) = unsendable_value(located);
    format!("pack() argument 'value': expected {ANY_VALUE}, but {rest}")
}

/// The error of a call that binds arguments like Python (kind `arity`).
fn arity(message: String, param: Option<String>, index: Option<usize>) -> Box<HostError> {
    Box::new(HostError {
        param,
        index,
        ..HostError::new("arity", message)
    })
}

/// `divide() missing 2 required arguments: 'a' and 'b'`; `missing` are the
/// indexes of the parameters without a value, in order (at least one).
pub(crate) fn missing(function: &str, params: &[String], missing: &[usize]) -> Box<HostError> {
    let names: Vec<&str> = missing
        .iter()
        .map(|&index| params[index].as_str())
        .collect();
    let count = names.len();
    let plural = if count == 1 { "" } else { "s" };
    let first = missing.first().copied();
    arity(
        format!(
            "{function}() missing {count} required argument{plural}: {}",
            quoted_list(&names)
        ),
        first.map(|index| params[index].clone()),
        first,
    )
}

/// `divide() takes 2 arguments but 3 were given`.
pub(crate) fn too_many(function: &str, takes: usize, given: usize) -> Box<HostError> {
    arity(
        takes_but_given(&format!("{function}()"), takes, given),
        None,
        None,
    )
}

/// `join_top() takes from 1 to 3 arguments but 4 were given`: as
/// [`too_many`] when every parameter is required.
pub(crate) fn too_many_of(
    function: &str,
    fewest: usize,
    takes: usize,
    given: usize,
) -> Box<HostError> {
    if fewest == takes {
        return too_many(function, takes, given);
    }
    let were = if given == 1 { "was" } else { "were" };
    arity(
        format!("{function}() takes from {fewest} to {takes} arguments but {given} {were} given"),
        None,
        None,
    )
}

fn takes_but_given(call: &str, takes: usize, given: usize) -> String {
    let plural = if takes == 1 { "" } else { "s" };
    let were = if given == 1 { "was" } else { "were" };
    format!("{call} takes {takes} argument{plural} but {given} {were} given")
}

/// `divide() got an unexpected keyword argument 'c'`.
pub(crate) fn unexpected_keyword(function: &str, key: &str) -> Box<HostError> {
    arity(
        format!("{function}() got an unexpected keyword argument '{key}'"),
        Some(key.to_owned()),
        None,
    )
}

/// `divide() got multiple values for argument 'a'`.
pub(crate) fn multiple_values(function: &str, key: &str, index: usize) -> Box<HostError> {
    arity(
        format!("{function}() got multiple values for argument '{key}'"),
        Some(key.to_owned()),
        Some(index),
    )
}

/// `divide() keywords must be strings`.
pub(crate) fn keywords_not_strings(function: &str) -> Box<HostError> {
    arity(format!("{function}() keywords must be strings"), None, None)
}

/// More arguments than a MessagePack array holds.
pub(crate) fn too_many_to_send(callee: Callee<'_>, given: usize) -> Box<HostError> {
    arity(
        format!(
            "{} takes fewer arguments than the {given} given",
            callee.call_text()
        ),
        None,
        None,
    )
}

/// `closure() takes no keyword arguments` (as Python's builtins say).
pub(crate) fn closure_keywords() -> Box<HostError> {
    arity(
        format!("{} takes no keyword arguments", Callee::Closure.call_text()),
        None,
        None,
    )
}

/// "`adder()`'s closure", the library's name for a closure, at the start of
/// `message`.
fn closure_prefix(message: &str) -> Option<String> {
    let end = message.strip_prefix('`')?.find("()`'s closure")? + 1;
    Some(message[..end + "()`'s closure".len()].to_owned())
}

/// The message of a library's argument error (kind `arity`, `type` or
/// `overflow`) in this host's style, from the error value's keys; `None` for
/// any other error value, or one about another function than `callee` (a
/// closure's error passed on by the function that called it keeps its words).
pub(crate) fn from_library(value: &ErrorValueRef<'_>, callee: Callee<'_>) -> Option<String> {
    if !value.kind().is_bad_argument() || value.kind() == ErrorKind::Malformed {
        return None;
    }
    let function = value.function?;
    if matches!(callee, Callee::Function(name) if name != function) {
        return None;
    }
    let message = value.message;
    let own = match callee {
        // The library names a closure by the function that made it
        // ("`adder()`'s closure argument 0: …"); this host says `closure()`.
        Callee::Closure => closure_prefix(message).unwrap_or_else(|| format!("`{function}()`")),
        Callee::Function(_) => format!("`{function}()`"),
    };
    if message.starts_with('`') && !message.starts_with(&own) {
        // Another function's words (a closure's error its caller passed on).
        return None;
    }
    let call = callee.call_text();
    if value.kind() == ErrorKind::Arity {
        // "takes 2 arguments … but was given 1 argument": Python's words.
        let count = |text: Option<&str>| -> Option<usize> { text?.split(' ').next()?.parse().ok() };
        if let (Some(takes), Some(given)) = (count(value.expected), count(value.found)) {
            return Some(takes_but_given(&call, takes, given));
        }
    }
    let index = value.index.and_then(|index| usize::try_from(index).ok());
    let argument = match (value.param, index) {
        (Some(param), _) => Some(Argument::Named(param)),
        (None, Some(index)) => Some(Argument::Position(index)),
        (None, None) => None,
    };
    // The library's own prefix, "`divide()` argument `b`: " or similar.
    let rest = message.strip_prefix(&own).unwrap_or(message);
    let rest = match (argument, index) {
        (Some(Argument::Named(param)), _) => rest.strip_prefix(&format!(" argument `{param}`")),
        (Some(Argument::Position(_)), Some(index)) => {
            rest.strip_prefix(&format!(" argument {index}"))
        }
        _ => None,
    }
    .unwrap_or(rest);
    let rest = rest.strip_prefix(':').unwrap_or(rest).trim_start();
    Some(match argument {
        Some(argument) => format!("{}: {rest}", argument_text(callee, argument)),
        None => format!("{call}: {rest}"),
    })
}

/// `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'`: how Python lists missing arguments.
fn quoted_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("'{name}'")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [first, second] => format!("{first} and {second}"),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_names_like_python() {
        assert_eq!(quoted_list(&["a"]), "'a'");
        assert_eq!(quoted_list(&["a", "b"]), "'a' and 'b'");
        assert_eq!(quoted_list(&["a", "b", "c"]), "'a', 'b', and 'c'");
    }

    #[test]
    fn counts_like_python() {
        assert_eq!(
            takes_but_given("closure()", 1, 3),
            "closure() takes 1 argument but 3 were given"
        );
        assert_eq!(
            takes_but_given("f()", 2, 1),
            "f() takes 2 arguments but 1 was given"
        );
    }
}
