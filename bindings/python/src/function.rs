//! `Function`: one exported Rust function, callable from Python.

use std::sync::Arc;

use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use pyo3::PyTraverseError;

use crate::bind::{bind, wrong_count};
use crate::buffers::with_buffers;
use crate::encode::{array_header, EncodeError, Located};
use crate::failure::HostError;
use crate::lend::{encode_argument, Lend};
use crate::loaded::Loaded;
use crate::outcome::{cross, Callee};
use crate::scope::Scope;
use crate::shape::Shape;

/// One parameter: its name, the Rust type it takes (for messages) and whether
/// a large `bytes` argument is lent to it.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) rust: String,
    pub(crate) lend: Lend,
}

/// A function exported by a ferryman library.
///
/// Calling it binds the arguments to the parameters, encodes them as one
/// MessagePack array, calls `ferryman_call` without the GIL and decodes the
/// result. Instances have a `__dict__`, where the Python layer puts
/// `__name__`, `__qualname__`, `__doc__` and `__signature__`.
#[pyclass(frozen, dict, module = "ferryman._native", name = "Function")]
#[derive(Debug)]
pub struct Function {
    library: Arc<Loaded>,
    id: u32,
    name: String,
    params: Vec<String>,
    rust_types: Vec<String>,
    lends: Vec<Lend>,
    returns: Option<Shape>,
    /// Always `Some` once constructed. The `dict` of a new instance is
    /// allocated before this struct is written, which can run the garbage
    /// collector on the still zeroed object: `__traverse__` must see `None`
    /// then, not read a null `Py`.
    on_error: Option<Py<PyAny>>,
}

impl Function {
    pub(crate) fn new(
        library: Arc<Loaded>,
        id: u32,
        name: String,
        params: Vec<Param>,
        returns: Option<Shape>,
        on_error: Py<PyAny>,
    ) -> Function {
        let lends = params.iter().map(|param| param.lend).collect();
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
            returns,
            on_error: Some(on_error),
        }
    }

    /// The error for argument `index` that did not encode.
    fn argument_error(&self, index: usize, located: Located) -> Box<HostError> {
        let name = &self.name;
        let param = &self.params[index];
        let expected = &self.rust_types[index];
        let place = located.path_text();
        let (kind, found, detail) = match located.error {
            EncodeError::Unsupported(found) => (
                "type",
                found.clone(),
                format!("cannot send a value of type '{found}' (expected {expected})"),
            ),
            EncodeError::Overflow(what) => (
                "overflow",
                "int".to_owned(),
                format!("{what} does not fit in 64 bits (expected {expected})"),
            ),
            EncodeError::Invalid(what) => (
                "type",
                String::new(),
                format!("cannot send {what} (expected {expected})"),
            ),
            EncodeError::TooDeep => (
                "type",
                String::new(),
                format!(
                    "value nested deeper than {} levels (is it cyclic?)",
                    crate::encode::MAX_DEPTH
                ),
            ),
            EncodeError::Python(error) => (
                "type",
                String::new(),
                Python::attach(|py| format!("reading the value raised {}", error.value(py))),
            ),
        };
        Box::new(HostError {
            param: Some(param.clone()),
            index: Some(index),
            expected: Some(expected.clone()),
            found: (!found.is_empty()).then_some(found),
            ..HostError::new(
                kind,
                format!("{name}() argument '{param}'{place}: {detail}"),
            )
        })
    }

    /// The common call: exactly one positional argument per parameter. Reads the
    /// tuple by index and tries the exact-type fast path before the generic one.
    #[inline]
    fn encode_positional(
        &self,
        out: &mut Vec<u8>,
        args: &Bound<'_, PyTuple>,
    ) -> Result<(), Box<HostError>> {
        let count = self.params.len();
        if count <= 15 {
            out.push(0x90 | count as u8);
        } else {
            return self.encode_args(out, args.iter());
        }
        for index in 0..count {
            let value = args
                .get_item(index)
                .map_err(|error| self.argument_error(index, error.into()))?;
            encode_argument(out, &value, self.lends[index])
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
            Box::new(HostError::new(
                "arity",
                format!("{}() has too many parameters to call", self.name),
            ))
        })?;
        for (index, value) in values.enumerate() {
            encode_argument(out, &value, self.lends[index])
                .map_err(|error| self.argument_error(index, error))?;
        }
        Ok(())
    }
}

#[pymethods]
impl Function {
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Some(on_error) = &self.on_error else {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "uninitialised Function",
            ));
        };
        let on_error = on_error.bind(py);
        let fail = |error: Box<HostError>| error.raise(py, on_error, Some(&self.name));
        // Callables in the arguments are encoded for this library.
        let runtime = self.library.runtime();
        let _scope = Scope::call(runtime);
        with_buffers(|buffers| {
            buffers.args.clear();
            match kwargs.filter(|kwargs| !kwargs.is_empty()) {
                None if args.len() == self.params.len() => {
                    self.encode_positional(&mut buffers.args, args)
                }
                None => Err(wrong_count(&self.name, &self.params, args.len())),
                Some(kwargs) => bind(&self.name, &self.params, args, kwargs)
                    .and_then(|values| self.encode_args(&mut buffers.args, values.into_iter())),
            }
            .map_err(fail)?;

            let library = &*self.library;
            let id = self.id;
            let callee = Callee {
                shape: self.returns.as_ref(),
                runtime,
                on_error,
                name: &self.name,
            };
            cross(
                py,
                buffers,
                move |args, out| library.call(id, args, out),
                &callee,
            )
        })
    }

    /// The function's id in its library (its index in `describe()["functions"]`).
    #[getter]
    fn id(&self) -> u32 {
        self.id
    }

    /// The Rust name of the function.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// The parameter names, in order.
    #[getter]
    fn parameters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.params)
    }

    /// The Rust type of each parameter, in order.
    #[getter]
    fn rust_types<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.rust_types)
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        // The Python layer stores `<ferryman function divide(a: int) -> int>`.
        slf.getattr(pyo3::intern!(slf.py(), "_ferryman_repr"))
            .and_then(|text| text.extract::<String>())
            .unwrap_or_else(|_| format!("<ferryman function {}>", slf.get().name))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.on_error)
    }
}
