//! `*args, **kwargs` → one value per parameter, as Python binds a function
//! whose parameters are all positional-or-keyword (the messages are
//! `errors/argument_message.rs`'s).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::errors::argument_message;
use crate::errors::host_error::HostError;

/// Binds positional and keyword arguments to `params`.
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
        return Err(argument_message::too_many(
            function,
            params.len(),
            given + kwargs.len(),
        ));
    }
    let mut slots: Vec<Option<Bound<'py, PyAny>>> = args.iter().map(Some).collect();
    slots.resize(params.len(), None);
    for (key, value) in kwargs.iter() {
        let Ok(key) = key.cast::<PyString>() else {
            return Err(argument_message::keywords_not_strings(function));
        };
        let key = key.to_str().unwrap_or("");
        let Some(index) = params.iter().position(|param| param == key) else {
            return Err(argument_message::unexpected_keyword(function, key));
        };
        if slots[index].is_some() {
            return Err(argument_message::multiple_values(function, key, index));
        }
        slots[index] = Some(value);
    }
    let missing: Vec<usize> = slots
        .iter()
        .enumerate()
        .filter(|(_, slot)| slot.is_none())
        .map(|(index, _)| index)
        .collect();
    if !missing.is_empty() {
        return Err(argument_message::missing(function, params, &missing));
    }
    Ok(slots.into_iter().flatten().collect())
}

/// The error for a call with only positional arguments, the wrong number of them.
pub(crate) fn wrong_count(function: &str, params: &[String], given: usize) -> Box<HostError> {
    if given > params.len() {
        return argument_message::too_many(function, params.len(), given);
    }
    let missing: Vec<usize> = (given..params.len()).collect();
    argument_message::missing(function, params, &missing)
}
