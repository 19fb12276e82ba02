//! The library's closures (extension 2) as JS functions: calling one calls
//! `ferryman_closure_call`; the handle is released once, by `release(fn)`
//! or when the function is garbage collected.

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::ptr;

use napi::sys;

use crate::call::{self, Target};
use crate::error_info;
use crate::js::{napi_call, Js, JsResult, Value};
use crate::library::Lib;

/// Marks our closure functions (so that an argument is known as one).
const TAG: sys::napi_type_tag = sys::napi_type_tag {
    lower: 0x6665_7272_796d_616e, // "ferryman"
    upper: 0x636c_6f73_7572_6531, // "closure1"
};

/// What a closure function holds.
#[derive(Debug)]
pub(crate) struct ClosureData {
    lib: &'static Lib,
    handle: u64,
    released: Cell<bool>,
    args: RefCell<Vec<u8>>,
    out: RefCell<Vec<u8>>,
}

impl ClosureData {
    /// Releases the handle; `false` when it was released already.
    fn release(&self) -> bool {
        if self.released.replace(true) {
            return false;
        }
        if let Some(closures) = self.lib.library.closures() {
            let _ = closures.release(self.handle);
        }
        true
    }
}

/// A JS function for closure `handle`, which it now owns.
pub(crate) fn make(js: Js, lib: &'static Lib, handle: u64) -> JsResult<Value> {
    let data = Box::into_raw(Box::new(ClosureData {
        lib,
        handle,
        released: Cell::new(false),
        args: RefCell::new(Vec::with_capacity(64)),
        out: RefCell::new(Vec::with_capacity(64)),
    }));
    let name = "closure";
    let mut function = ptr::null_mut();
    let made = napi_call!(
        js,
        napi_create_function(
            name.as_ptr().cast(),
            name.len() as isize,
            Some(trampoline),
            data.cast(),
            &mut function
        )
    );
    if made.is_err() {
        // SAFETY: `data` came from `Box::into_raw` above and nothing else has it.
        unsafe { Box::from_raw(data) }.release();
        return Err(crate::js::Thrown);
    }
    napi_call!(js, napi_type_tag_object(function, &TAG))?;
    napi_call!(
        js,
        napi_wrap(
            function,
            data.cast(),
            Some(finalize),
            ptr::null_mut(),
            ptr::null_mut()
        )
    )?;
    Ok(function)
}

/// The data of one of our closure functions, or `None` for any other value.
fn data_of<'a>(js: Js, value: Value) -> JsResult<Option<&'a ClosureData>> {
    let mut tagged = false;
    napi_call!(js, napi_check_object_type_tag(value, &TAG, &mut tagged))?;
    if !tagged {
        return Ok(None);
    }
    let mut data = ptr::null_mut();
    napi_call!(js, napi_unwrap(value, &mut data))?;
    // SAFETY: only `make` tags functions, and it wraps them with a leaked
    // `ClosureData` that lives until the function's finalizer.
    Ok(Some(unsafe { &*data.cast::<ClosureData>() }))
}

/// The handle of one of `lib`'s closures (to send back as extension 2).
pub(crate) fn handle_of(js: Js, value: Value, lib: &'static Lib) -> JsResult<Option<u64>> {
    Ok(data_of(js, value)?
        .filter(|data| std::ptr::eq(data.lib, lib))
        .map(|data| data.handle))
}

/// Releases a closure function's handle now; `false` for other values.
pub(crate) fn release(js: Js, value: Value) -> JsResult<bool> {
    Ok(match data_of(js, value)? {
        Some(data) => data.release(),
        None => false,
    })
}

unsafe extern "C" fn trampoline(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    // SAFETY: N-API calls this on the JS thread with its env.
    let js = unsafe { Js::from_raw(env) };
    call::with_args(js, info, |argv, data| {
        // SAFETY: `make` passed a live `ClosureData` as the function's data.
        let data = unsafe { &*data.cast::<ClosureData>() };
        if js.constructing(info) {
            return Err(call::not_a_constructor(js, "closure"));
        }
        if data.released.get() {
            return Err(error_info::released_closure(js, data.lib));
        }
        let mut fresh = (Vec::new(), Vec::new());
        let mut args_borrow = data.args.try_borrow_mut();
        let mut out_borrow = data.out.try_borrow_mut();
        let (args, out) = match (args_borrow.as_deref_mut(), out_borrow.as_deref_mut()) {
            (Ok(args), Ok(out)) => (args, out),
            _ => (&mut fresh.0, &mut fresh.1),
        };
        call::call(
            js,
            data.lib,
            Target::Closure(data.handle),
            &call::Names::Closure,
            argv,
            call::Buffers {
                args,
                out,
                expect: None,
            },
        )
    })
}

unsafe extern "C" fn finalize(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: the pointer `make` wrapped, handed back once by N-API.
    let data = unsafe { Box::from_raw(data.cast::<ClosureData>()) };
    data.release();
}
