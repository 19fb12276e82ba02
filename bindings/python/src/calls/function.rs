//! `Function`: one exported Rust function, callable from Python.

use std::sync::Arc;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use crate::calls::argument_binding::{wrong_count, KeywordPlan, LastPlan, Params, Source};
use crate::calls::async_call::{cross_async, Flavor};
use crate::calls::crossing::{cross, Called, Target};
use crate::errors::argument_message::{self, Argument, Callee};
use crate::errors::host_error::HostError;
use crate::ffi::host_registration::HostRegistration;
use crate::ffi::library_handle::LibraryHandle;
use crate::state::call_scope::Scope;
use crate::values::awaited_callable::encode_awaited;
use crate::values::encode::{array_header, encode_exact_int, encode_exact_ptr};
use crate::values::encode_error::Located;
use crate::values::ints::Ints;
use crate::values::lent_bytes::{encode_argument, Lend};
use crate::values::number_items::NumberItems;
use crate::values::object_value;
use crate::values::shape::Shape;

/// One parameter: its name, the Rust type it takes (for messages), whether
/// a large `bytes` argument is lent to it, how wide its integers may be, and
/// its default (describe's `default`, encoded as an argument), if it has one,
/// and what numbers it takes when it is a list of them.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) rust: String,
    pub(crate) lend: Lend,
    pub(crate) ints: Ints,
    pub(crate) default: Option<Vec<u8>>,
    pub(crate) items: NumberItems,
    /// Whether it is an `AsyncCallback` (`{"async_callback": …}`): a
    /// callable passed to it is awaited (`values/awaited_callable.rs`).
    pub(crate) awaited: bool,
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
    /// A buffer argument of other items is refused before sending.
    items: Vec<NumberItems>,
    /// The parameters that take an async callback, if any do.
    awaited: Option<Box<[bool]>>,
    returns: Option<Shape>,
    /// The MessagePack bytes of each parameter's default (the trailing ones).
    defaults: Vec<Option<Box<[u8]>>>,
    /// How many leading parameters have no default: a call sends at least these.
    required: usize,
    /// The parameter names as interned Python strings, for keyword lookups.
    interned: Vec<Py<PyString>>,
    /// The binding of the last keyword call (most call sites repeat theirs).
    keyword_plan: LastPlan,
    /// A method's class id (describe's `classes`): argument 0 of that exact
    /// Python class takes the short path ([`object_value::encode_receiver`]).
    receiver: Option<u32>,
    /// A sync function, an `async fn` or a stream function.
    flavor: Flavor,
    /// Whether an argument may be an object (a method's receiver, `&T`,
    /// `Arc<T>`, in `Option` or `Vec`): only then can a failed call be one
    /// whose object another thread closed ([`Function::closed_meanwhile`]).
    takes_objects: bool,
}

impl Function {
    pub(crate) fn new(
        py: Python<'_>,
        library: Arc<LibraryHandle>,
        id: u32,
        name: String,
        params: Vec<Param>,
        returns: Option<Shape>,
        receiver: Option<u32>,
    ) -> Function {
        let lends: Vec<Lend> = params.iter().map(|param| param.lend).collect();
        let lends_any = lends.iter().any(|lend| *lend != Lend::Never);
        let registration = library.registration();
        let ints = params.iter().map(|param| param.ints).collect();
        let items = params.iter().map(|param| param.items.clone()).collect();
        let awaited = params
            .iter()
            .any(|param| param.awaited)
            .then(|| params.iter().map(|param| param.awaited).collect());
        let interned = params
            .iter()
            .map(|param| PyString::intern(py, &param.name).unbind())
            .collect();
        let required = params
            .iter()
            .rposition(|param| param.default.is_none())
            .map_or(0, |last| last + 1);
        let defaults = params
            .iter()
            .map(|param| param.default.clone().map(Vec::into_boxed_slice))
            .collect();
        let takes_objects = receiver.is_some()
            || params
                .iter()
                .any(|param| param.rust.contains('&') || param.rust.contains("Arc<"));
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
            items,
            awaited,
            returns,
            defaults,
            required,
            interned,
            keyword_plan: LastPlan::default(),
            receiver,
            flavor: Flavor::Sync,
            takes_objects,
        }
    }

    /// This function as an `async fn` or a stream function.
    pub(crate) fn with_flavor(mut self, flavor: Flavor) -> Function {
        self.flavor = flavor;
        self
    }

    /// The function's id in its library (its index in `describe()["functions"]`).
    pub(crate) fn id(&self) -> u32 {
        self.id
    }

    /// Whether this is a class's `__hash__` (the `hash` protocol), whose
    /// answers a closed object keeps (`function_object::vectorcall_hash`).
    pub(crate) fn is_hash_protocol(&self) -> bool {
        self.receiver.is_some() && self.name.ends_with(".__hash__")
    }

    /// The class of this method's receiver when it has room for its last
    /// hash (`values::object_value::remember_hash`), else null.
    pub(crate) fn hashed_receiver_class(&self, py: Python<'_>) -> *mut ffi::PyObject {
        match (self.registration, self.receiver) {
            (Some(registration), Some(class_id)) => registration.hashed_class_address(py, class_id),
            _ => std::ptr::null_mut(),
        }
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

    /// `error`, or the `ClosedObjectError` encoding would have raised when
    /// the library refused an object argument as released and that object
    /// is closed now: another thread closed it after it was encoded, while
    /// the call had let go of the GIL. `values` are the vectorcall values,
    /// `nargs` of them positional, the others named by `names` (bound to the
    /// parameters by the call's keyword plan; value `i` is parameter `i`
    /// otherwise). The refused parameter's argument is encoded
    /// again, which raises what a call made after the close raises (also for
    /// an object in a list: "at item [2]"). (The arguments are looked at
    /// first: reading the error's attributes would decode a Rust error's
    /// fields, which waits until they are asked for.)
    #[cold]
    #[inline(never)]
    fn closed_meanwhile(
        &self,
        py: Python<'_>,
        on_error: &Bound<'_, PyAny>,
        values: &[*mut ffi::PyObject],
        nargs: usize,
        names: Option<&Bound<'_, PyTuple>>,
        error: Box<PyErr>,
    ) -> Box<PyErr> {
        let suspect = values.iter().any(|&arg| {
            // SAFETY: a live argument, borrowed for the call, with the GIL held.
            let closed = unsafe { object_value::object_ref(arg) }.is_some_and(|o| o.handle == 0);
            // SAFETY: as above.
            closed || unsafe { ffi::PyList_Check(arg) != 0 || ffi::PyTuple_Check(arg) != 0 }
        });
        if !suspect {
            return error;
        }
        let raised = error.value(py);
        let refused = raised
            .getattr("kind")
            .is_ok_and(|kind| kind.eq("type").unwrap_or(false));
        let index = raised
            .getattr("index")
            .ok()
            .and_then(|at| at.extract::<usize>().ok());
        let (true, Some(index)) = (refused, index) else {
            return error;
        };
        let at = match names {
            None => Some(index),
            // The plan the call was encoded by (the last one is kept).
            Some(names) => match self.keyword_plan.get(&self.binding(), names, nargs) {
                Ok(plan) => match plan.sources().get(index) {
                    Some(Source::Argument(at)) => Some(*at),
                    _ => None,
                },
                Err(_) => None,
            },
        };
        let Some(&value) = at.and_then(|at| values.get(at)) else {
            return error;
        };
        let mut scratch = Vec::new();
        // SAFETY: as above.
        match unsafe { self.encode_one(py, &mut scratch, index, value) } {
            Err(closed) => Box::new(closed.raise(py, on_error, Some(&self.name))),
            Ok(()) => error,
        }
    }

    /// What binding needs to know about the parameters.
    fn binding(&self) -> Params<'_> {
        Params {
            function: &self.name,
            names: &self.params,
            interned: &self.interned,
            required: self.required,
        }
    }

    /// The common call: one positional argument per parameter (or fewer,
    /// down to the required ones: the library fills in the defaults), read
    /// straight from the vectorcall array.
    fn encode_positional(
        &self,
        py: Python<'_>,
        out: &mut Vec<u8>,
        args: &[*mut ffi::PyObject],
    ) -> Result<(), Box<HostError>> {
        self.array_header(out, args.len())?;
        for (index, &arg) in args.iter().enumerate() {
            // SAFETY: a live argument, borrowed for the call, with the GIL held.
            unsafe { self.encode_one(py, out, index, arg) }?;
        }
        Ok(())
    }

    /// A keyword call, bound by `plan`: each parameter's value from the
    /// vectorcall array `args`, or its default's bytes. (Not inlined: the
    /// positional path stays as small as it was.)
    #[inline(never)]
    fn encode_planned(
        &self,
        py: Python<'_>,
        out: &mut Vec<u8>,
        args: &[*mut ffi::PyObject],
        plan: &KeywordPlan,
    ) -> Result<(), Box<HostError>> {
        let sources = plan.sources();
        self.array_header(out, sources.len())?;
        for (index, source) in sources.iter().enumerate() {
            match *source {
                // SAFETY: a live argument, borrowed for the call, with the GIL
                // held (the plan was made for this many values).
                Source::Argument(at) => unsafe { self.encode_one(py, out, index, args[at]) }?,
                Source::Default => match &self.defaults[index] {
                    Some(bytes) => out.extend_from_slice(bytes),
                    None => unreachable!("a plan leaves out only parameters with a default"),
                },
            }
        }
        Ok(())
    }

    /// The array header for `len` arguments.
    #[inline(always)]
    fn array_header(&self, out: &mut Vec<u8>, len: usize) -> Result<(), Box<HostError>> {
        if len <= 15 {
            out.push(0x90 | len as u8);
            return Ok(());
        }
        array_header(out, len)
            .map_err(|_| argument_message::too_many_to_send(Callee::Function(&self.name), len))
    }

    /// Encodes argument `arg` of parameter `index`, through the exact-type
    /// fast paths first.
    ///
    /// # Safety
    /// `arg` is a live object, borrowed for the call, and the GIL is held.
    #[inline(always)]
    unsafe fn encode_one(
        &self,
        py: Python<'_>,
        out: &mut Vec<u8>,
        index: usize,
        arg: *mut ffi::PyObject,
    ) -> Result<(), Box<HostError>> {
        if index == 0 {
            if let (Some(class_id), Some(registration)) = (self.receiver, self.registration) {
                // SAFETY: per this function's contract.
                if unsafe { object_value::encode_receiver(py, out, arg, registration, class_id) } {
                    return Ok(());
                }
            }
        }
        // SAFETY: per this function's contract (an int is never lent).
        if unsafe { encode_exact_int(out, arg) } {
            return Ok(());
        }
        let lend = if self.lends_any {
            self.lends[index]
        } else {
            Lend::Never
        };
        // SAFETY: as above.
        if unsafe { lend.encode_copied(out, arg) } {
            return Ok(());
        }
        // SAFETY: (both) as above.
        if !unsafe { lend.would_lend(arg) } && unsafe { encode_exact_ptr(out, arg) } {
            return Ok(());
        }
        // SAFETY: as above.
        let value = unsafe { Bound::from_borrowed_ptr(py, arg) };
        if self.awaited.as_ref().is_some_and(|awaited| awaited[index]) && value.is_callable() {
            return encode_awaited(out, &value)
                .map_err(|error| self.argument_error(index, Located::from(error)));
        }
        self.items[index]
            .check(&value)
            .and_then(|()| encode_argument(out, &value, lend, self.ints[index]))
            .map_err(|error| self.argument_error(index, error))
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
        // SAFETY: `kwnames` is a tuple or null (contract above), borrowed
        // for the call (no reference counting).
        let keywords = unsafe { pyo3::Borrowed::from_ptr_or_opt(py, kwnames) }
            // SAFETY: CPython passes a tuple (of str) as `kwnames`.
            .map(|names| unsafe { names.cast_unchecked::<PyTuple>() })
            .map(|names| (names.len(), names))
            .filter(|(len, _)| *len > 0);
        let count = nargs + keywords.as_ref().map_or(0, |(len, _)| *len);
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
        match &keywords {
            // All positional: every parameter, or fewer down to the required
            // ones (the library fills in the defaults).
            None if nargs <= self.params.len() && nargs >= self.required => {
                self.encode_positional(py, &mut buffers.args, values)
            }
            None => Err(wrong_count(&self.binding(), nargs)),
            Some((_, names)) => self
                .keyword_plan
                .get(&self.binding(), names, nargs)
                .and_then(|plan| self.encode_planned(py, &mut buffers.args, values, &plan)),
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
        // SAFETY: lent bytes in the arguments name `bytes` objects the
        // caller keeps alive for the call, or the host object table keeps
        // while the library holds them (`values/lent_bytes.rs`). An async
        // function's future owns its arguments (`spec/abi.md`, "Futures"):
        // nothing lent outlives the call.
        let called = match &self.flavor {
            Flavor::Sync => cross(
                py,
                buffers,
                // SAFETY: as above.
                move |args, out| unsafe { library.call(id, args, out) },
                &target,
            )
            .map_err(|error| match self.takes_objects {
                true => {
                    let names = keywords.as_ref().map(|(_, names)| &**names);
                    self.closed_meanwhile(py, on_error, values, nargs, names, error)
                }
                false => error,
            }),
            flavor => cross_async(
                py,
                buffers,
                // SAFETY: as above.
                move |args, out| unsafe { library.call(id, args, out) },
                &target,
                flavor,
                &self.name,
            ),
        };
        scope.close();
        called
    }
}
