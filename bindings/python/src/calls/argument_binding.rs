//! Arguments → parameters, as Python binds a function whose parameters are
//! all positional-or-keyword (the messages are `errors/argument_message.rs`'s).
//!
//! Keyword calls without building `*args`/`**kwargs`: a [`KeywordPlan`] says,
//! for one `kwnames` tuple and number of positional arguments, where each
//! parameter's value is in the vectorcall array (or that it takes its
//! default). A call site passes the same `kwnames` tuple every time (a
//! constant of its code object), so a function keeps its last plan and
//! reuses it when the tuple is the same object, or holds the same names.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use crate::errors::argument_message;
use crate::errors::host_error::HostError;

/// Where one parameter's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// Index into the vectorcall array (positional values, then keyword values).
    Argument(usize),
    /// The parameter's default, from describe.
    Default,
}

/// The binding of one keyword call shape to the parameters.
#[derive(Debug)]
pub(crate) struct KeywordPlan {
    /// The `kwnames` tuple it was made for, held so that its address cannot be
    /// reused by another tuple while the plan is kept.
    names: Py<PyTuple>,
    nargs: usize,
    /// One per parameter sent, in order: the array is this long (parameters
    /// after the last one given are left out, for the library to default).
    sources: Box<[Source]>,
}

/// What a function knows about its parameters, for binding.
pub(crate) struct Params<'a> {
    /// The function's name, for messages.
    pub(crate) function: &'a str,
    pub(crate) names: &'a [String],
    /// The same names as interned Python strings: keyword names from code
    /// objects are interned too, so most lookups are a pointer comparison.
    pub(crate) interned: &'a [Py<PyString>],
    /// How many leading parameters have no default.
    pub(crate) required: usize,
}

impl KeywordPlan {
    /// The parameters' sources, in order.
    #[inline]
    pub(crate) fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// Whether this plan binds a call with `nargs` positional values and the
    /// keyword names `names` (the same tuple, or one with the same names).
    #[inline]
    pub(crate) fn fits(&self, names: &Bound<'_, PyTuple>, nargs: usize) -> bool {
        if self.nargs != nargs {
            return false;
        }
        let mine = self.names.bind(names.py());
        if mine.as_ptr() == names.as_ptr() {
            return true;
        }
        mine.len() == names.len()
            && mine
                .iter()
                .zip(names.iter())
                .all(|(a, b)| a.as_ptr() == b.as_ptr() || same_text(&a, &b))
    }

    /// Binds `nargs` positional values and the keyword `names` to `params`.
    pub(crate) fn build(
        params: &Params<'_>,
        names: &Bound<'_, PyTuple>,
        nargs: usize,
    ) -> Result<KeywordPlan, Box<HostError>> {
        let count = params.names.len();
        if nargs > count {
            return Err(argument_message::too_many_of(
                params.function,
                params.required,
                count,
                nargs + names.len(),
            ));
        }
        let mut slots: Vec<Option<usize>> = (0..count).map(|i| (i < nargs).then_some(i)).collect();
        for (position, name) in names.iter().enumerate() {
            let Ok(name) = name.cast::<PyString>() else {
                return Err(argument_message::keywords_not_strings(params.function));
            };
            let Some(index) = find(params, name) else {
                let text = name.to_str().unwrap_or("");
                return Err(argument_message::unexpected_keyword(params.function, text));
            };
            if slots[index].is_some() {
                return Err(argument_message::multiple_values(
                    params.function,
                    &params.names[index],
                    index,
                ));
            }
            slots[index] = Some(nargs + position);
        }
        let missing: Vec<usize> = (0..params.required)
            .filter(|&index| slots[index].is_none())
            .collect();
        if !missing.is_empty() {
            return Err(argument_message::missing(
                params.function,
                params.names,
                &missing,
            ));
        }
        let sent = slots
            .iter()
            .rposition(Option::is_some)
            .map_or(0, |last| last + 1);
        let sources = slots[..sent]
            .iter()
            .map(|slot| slot.map_or(Source::Default, Source::Argument))
            .collect();
        Ok(KeywordPlan {
            names: names.clone().unbind(),
            nargs,
            sources,
        })
    }
}

/// A function's last keyword plan. Only touched with the GIL held; a call
/// in progress shares its plan, so a call re-entering the function may
/// replace it meanwhile.
#[derive(Default)]
pub(crate) struct LastPlan(Cell<Option<Rc<KeywordPlan>>>);

impl fmt::Debug for LastPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LastPlan")
    }
}

impl LastPlan {
    /// The plan for a keyword call with `nargs` positional values and the
    /// keyword `names`: the last one when it fits, else a new one, kept.
    #[inline]
    pub(crate) fn get(
        &self,
        params: &Params<'_>,
        names: &Bound<'_, PyTuple>,
        nargs: usize,
    ) -> Result<Rc<KeywordPlan>, Box<HostError>> {
        let last = self.0.take();
        let fitting = last
            .as_ref()
            .filter(|plan| plan.fits(names, nargs))
            .map(Rc::clone);
        self.0.set(last);
        if let Some(plan) = fitting {
            return Ok(plan);
        }
        let plan = Rc::new(KeywordPlan::build(params, names, nargs)?);
        // The plan it replaces lets go of its names now: calls run outside
        // PyO3's attach count (`function_object::vectorcall`), where dropping
        // a `Py` would only queue its decref.
        if let Some(Ok(old)) = self.0.replace(Some(Rc::clone(&plan))).map(Rc::try_unwrap) {
            old.names.drop_ref(names.py());
        }
        Ok(plan)
    }
}

/// The index of the parameter called `name`.
fn find(params: &Params<'_>, name: &Bound<'_, PyString>) -> Option<usize> {
    let pointer = name.as_ptr();
    if let Some(index) = params
        .interned
        .iter()
        .position(|interned| interned.as_ptr() == pointer)
    {
        return Some(index);
    }
    let text = name.to_str().ok()?;
    params.names.iter().position(|param| param == text)
}

/// Whether two keyword names (str, as CPython guarantees) have the same text.
fn same_text(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> bool {
    // SAFETY: both are live objects and the GIL is held; `PyUnicode_Compare`
    // runs no Python code and reports an error (non-str) as -1 with an
    // exception set, cleared here.
    unsafe {
        if ffi::PyUnicode_Check(a.as_ptr()) == 0 || ffi::PyUnicode_Check(b.as_ptr()) == 0 {
            return false;
        }
        ffi::PyUnicode_Compare(a.as_ptr(), b.as_ptr()) == 0
    }
}

/// The error for a call with only positional arguments, the wrong number of
/// them (more than the parameters, or fewer than the required ones).
pub(crate) fn wrong_count(params: &Params<'_>, given: usize) -> Box<HostError> {
    let count = params.names.len();
    if given > count {
        return argument_message::too_many_of(params.function, params.required, count, given);
    }
    let missing: Vec<usize> = (given..params.required).collect();
    argument_message::missing(params.function, params.names, &missing)
}
