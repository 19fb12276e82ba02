//! `*args, **kwargs` → one value per parameter, with Python's own messages.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::failure::HostError;

/// Binds positional and keyword arguments to `params` (all positional-or-keyword).
///
/// `function` is the name used in messages: `divide() missing 1 required
/// argument: 'b'`.
pub(crate) fn bind<'py>(
    function: &str,
    params: &[String],
    args: &Bound<'py, PyTuple>,
    kwargs: &Bound<'py, PyDict>,
) -> Result<Vec<Bound<'py, PyAny>>, Box<HostError>> {
    let given = args.len();
    if given > params.len() {
        return Err(too_many(function, params.len(), given + kwargs.len()));
    }
    let mut slots: Vec<Option<Bound<'py, PyAny>>> = args.iter().map(Some).collect();
    slots.resize(params.len(), None);
    for (key, value) in kwargs.iter() {
        let Ok(key) = key.cast::<PyString>() else {
            return Err(arity(
                format!("{function}() keywords must be strings"),
                None,
                None,
            ));
        };
        let key = key.to_str().unwrap_or("");
        let Some(index) = params.iter().position(|param| param == key) else {
            return Err(arity(
                format!("{function}() got an unexpected keyword argument '{key}'"),
                Some(key.to_owned()),
                None,
            ));
        };
        if slots[index].is_some() {
            return Err(arity(
                format!("{function}() got multiple values for argument '{key}'"),
                Some(key.to_owned()),
                Some(index),
            ));
        }
        slots[index] = Some(value);
    }
    let missing: Vec<usize> = slots
        .iter()
        .enumerate()
        .filter(|(_, slot)| slot.is_none())
        .map(|(index, _)| index)
        .collect();
    if let Some(&first) = missing.first() {
        let names: Vec<&str> = missing
            .iter()
            .map(|&index| params[index].as_str())
            .collect();
        let count = names.len();
        let plural = if count == 1 { "" } else { "s" };
        return Err(arity(
            format!(
                "{function}() missing {count} required argument{plural}: {}",
                quoted_list(&names)
            ),
            Some(params[first].clone()),
            Some(first),
        ));
    }
    Ok(slots.into_iter().flatten().collect())
}

/// The error for a call with only positional arguments, the wrong number of them.
pub(crate) fn wrong_count(function: &str, params: &[String], given: usize) -> Box<HostError> {
    if given > params.len() {
        return too_many(function, params.len(), given);
    }
    let names: Vec<&str> = params[given..].iter().map(String::as_str).collect();
    let count = names.len();
    let plural = if count == 1 { "" } else { "s" };
    arity(
        format!(
            "{function}() missing {count} required argument{plural}: {}",
            quoted_list(&names)
        ),
        Some(params[given].clone()),
        Some(given),
    )
}

fn too_many(function: &str, takes: usize, given: usize) -> Box<HostError> {
    let plural = if takes == 1 { "" } else { "s" };
    let were = if given == 1 { "was" } else { "were" };
    arity(
        format!("{function}() takes {takes} argument{plural} but {given} {were} given"),
        None,
        None,
    )
}

fn arity(message: String, param: Option<String>, index: Option<usize>) -> Box<HostError> {
    Box::new(HostError {
        param,
        index,
        ..HostError::new("arity", message)
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
    use super::quoted_list;

    #[test]
    fn lists_names_like_python() {
        assert_eq!(quoted_list(&["a"]), "'a'");
        assert_eq!(quoted_list(&["a", "b"]), "'a' and 'b'");
        assert_eq!(quoted_list(&["a", "b", "c"]), "'a', 'b', and 'c'");
    }
}
