//! `Function`: one exported Rust function, callable from Python.

use std::sync::Arc;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::calls::argument_binding::{bind, wrong_count};
use crate::calls::crossing::{cross, Called, Target};
use crate::errors::argument_message::{self, Argument, Callee};
use crate::errors::host_error::HostError;
use crate::ffi::host_registration::HostRegistration;
use crate::ffi::library_handle::LibraryHandle;
use crate::state::call_scope::Scope;
use crate::values::encode::{array_header, encode_exact_int, encode_exact_ptr};
use crate::values::encode_error::Located;
use crate::values::ints::Ints;
use crate::values::lent_bytes::{encode_argument, Lend};
use crate::values::shape::Shape;

/// One parameter: its name, the Rust type it takes (for messages), whether
/// a large `bytes` argument is lent to it and how wide its integers may be.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) rust: String,
    pub(crate) lend: Lend,
    pub(crate) ints: Ints,
}

/// A function exported by a ferryman library: what a call needs to know.
///
/// The Python object wrapping it is `function_object`'s `Function` type.
/// Calling binds the arguments to the parameters, encodes them as one
/// MessagePack array, calls `ferryman_call` (without the GIL when another
/// thread could want it) and decodes the result.
#[derive(Debug)]
pub(crate) struct Function {
    library: Arc<LibraryHandle>,
    id: u32,
    name: String,
    params: Vec<String>,
    rust_types: Vec<String>,
    lends: Vec<Lend>,
    /// Whether any parameter may be lent bytes (else the loop skips `lends`).
    lends_any: bool,
    /// The library's side of the callback protocol, registered at load.
    registration: Option<&'static HostRegistration>,
    ints: Vec<Ints>,
    returns: Option<Shape>,
}

impl Function {
    pub(crate) fn new(
        library: Arc<LibraryHandle>,
        id: u32,
        name: String,
        params: Vec<Param>,
        returns: Option<Shape>,
    ) -> Function {
        let lends: Vec<Lend> = params.iter().map(|param| param.lend).collect();
        let lends_any = lends.iter().any(|lend| *lend != Lend::Never);
        let registration = library.registration();
        let ints = params.iter().map(|param| param.ints).collect();
        let (params, rust_types) = params
            .into_iter()
            .map(|param| (param.name, param.rust))
            .unzip();
        Function {
            library,
            id,
            name,
            params,
            rust_types,
            lends,
            lends_any,
            registration,
            ints,
            returns,
        }
    }

    /// The function's id in its library (its index in `describe()["functions"]`).
    pub(crate) fn id(&self) -> u32 {
        self.id
    }

    /// The Rust name of the function.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The parameter names, in order.
    pub(crate) fn params(&self) -> &[String] {
        &self.params
    }

    /// The Rust type of each parameter, in order.
    pub(crate) fn rust_types(&self) -> &[String] {
        &self.rust_types
    }

    /// The error for argument `index` that did not encode.
    #[cold]
    fn argument_error(&self, index: usize, located: Located) -> Box<HostError> {
        argument_message::unsendable(
            Callee::Function(&self.name),
            Argument::Named(&self.params[index]),
            index,
            Some(&self.rust_types[index]),
            located,
        )
    }

    /// The common call: exactly one positional argument per parameter, read
    /// straight from the vectorcall array, through the exact-type fast path first.
    fn encode_positional(
        &self,
        py: Python<'_>,
        out: &mut Vec<u8>,
        args: &[*mut ffi::PyObject],
    ) -> Result<(), Box<HostError>> {
        if args.len() > 15 {
            // SAFETY: every pointer is a live argument, borrowed for the call.
            let values = args
                .iter()
                .map(|&arg| unsafe { Bound::from_borrowed_ptr(py, arg) });
            return self.encode_args(out, values);
        }
        out.push(0x90 | args.len() as u8);
        for (index, &arg) in args.iter().enumerate() {
            // SAFETY: a live argument, borrowed for the call, with the GIL held
            // (an int is never lent).
            if unsafe { encode_exact_int(out, arg) } {
                continue;
            }
            let lend = if self.lends_any {
                self.lends[index]
            } else {
                Lend::Never
            };
            // SAFETY: a live argument, borrowed for the call, with the GIL held.
            if unsafe { lend.encode_copied(out, arg) } {
                continue;
            }
            // SAFETY: (both) as above.
            if !unsafe { lend.would_lend(arg) } && unsafe { encode_exact_ptr(out, arg) } {
                continue;
            }
            // SAFETY: as above.
            let value = unsafe { Bound::from_borrowed_ptr(py, arg) };
            encode_argument(out, &value, lend, self.ints[index])
                .map_err(|error| self.argument_error(index, error))?;
        }
        Ok(())
    }

    /// Encodes `values` (one per parameter) as the argument array.
    fn encode_args<'py>(
        &self,
        out: &mut Vec<u8>,
        values: impl Iterator<Item = Bound<'py, PyAny>>,
    ) -> Result<(), Box<HostError>> {
        array_header(out, self.params.len()).map_err(|_| {
            argument_message::too_many_to_send(Callee::Function(&self.name), self.params.len())
        })?;
        for (index, value) in values.enumerate() {
            encode_argument(out, &value, self.lends[index], self.ints[index])
                .map_err(|error| self.argument_error(index, error))?;
        }
        Ok(())
    }
}

impl Function {
    /// Calls the function with `nargs` positional arguments at `args`, followed
    /// by the values of the keyword arguments named in `kwnames`.
    ///
    /// # Safety
    /// The vectorcall contract: the GIL is held, `args` holds `nargs` values
    /// plus one per name in `kwnames` (a tuple of str, or null), all live and
    /// borrowed for the duration of the call.
    pub(crate) unsafe fn call<'py>(
        &self,
        py: Python<'py>,
        on_error: &Bound<'py, PyAny>,
        args: *const *mut ffi::PyObject,
        nargs: usize,
        kwnames: *mut ffi::PyObject,
    ) -> Called<'py> {
        let fail = |error: Box<HostError>| Box::new(error.raise(py, on_error, Some(&self.name)));
        // SAFETY: `kwnames` is a tuple or null (contract above).
        let keywords = unsafe { Bound::from_borrowed_ptr_or_opt(py, kwnames) }
            // SAFETY: CPython passes a tuple (of str) as `kwnames`.
            .map(|names| unsafe { names.cast_into_unchecked::<PyTuple>() })
            .filter(|names| !names.is_empty());
        let count = nargs + keywords.as_ref().map_or(0, |names| names.len());
        let values: &[*mut ffi::PyObject] = if count == 0 {
            &[]
        } else {
            // SAFETY: `args` holds `count` live values (contract above).
            unsafe { std::slice::from_raw_parts(args, count) }
        };
        // Callables in the arguments are encoded for this library.
        let registration = self.registration;
        let mut scope = Scope::call(registration);
        let buffers = scope.buffers();
        buffers.args.clear();
        match keywords {
            None if nargs == self.params.len() => {
                self.encode_positional(py, &mut buffers.args, values)
            }
            None => Err(wrong_count(&self.name, &self.params, nargs)),
            Some(names) => keyword_call(py, &values[..nargs], &names, &values[nargs..])
                .map_err(|error| argument_message::keywords_unreadable(&self.name, &error))
                .and_then(|(args, kwargs)| bind(&self.name, &self.params, &args, &kwargs))
                .and_then(|values| self.encode_args(&mut buffers.args, values.into_iter())),
        }
        .map_err(fail)?;

        let library = &*self.library;
        let id = self.id;
        let target = Target {
            shape: self.returns.as_ref(),
            registration,
            on_error,
            callee: Callee::Function(&self.name),
        };
        cross(
            py,
            buffers,
            // SAFETY: lent bytes in the arguments name `bytes` objects the
            // caller keeps alive for the call, or the host object table keeps
            // while the library holds them (`values/lent_bytes.rs`).
            move |args, out| unsafe { library.call(id, args, out) },
            &target,
        )
    }
}

/// The `*args` tuple and `**kwargs` dict of a vectorcall with keywords.
fn keyword_call<'py>(
    py: Python<'py>,
    positional: &[*mut ffi::PyObject],
    names: &Bound<'py, PyTuple>,
    values: &[*mut ffi::PyObject],
) -> PyResult<(Bound<'py, PyTuple>, Bound<'py, PyDict>)> {
    // SAFETY: (both) live values borrowed for the call, with the GIL held.
    let bound = |arg: &*mut ffi::PyObject| unsafe { Bound::from_borrowed_ptr(py, *arg) };
    let args = PyTuple::new(py, positional.iter().map(bound))?;
    let kwargs = PyDict::new(py);
    for (name, value) in names.iter().zip(values) {
        kwargs.set_item(name, bound(value))?;
    }
    Ok((args, kwargs))
}
