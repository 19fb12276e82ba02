//! The threadsafe functions that wake the JS thread from any thread (one for
//! callbacks, `crossing`; one for async outcomes, `completions`): made at
//! module load and unref'd, so that each keeps the process alive only while
//! its owner refs it for something that waits.

use std::ffi::c_void;
use std::ptr;

use napi::sys;

use crate::js::{napi_call, Js, JsResult};

/// A threadsafe function; its owner forgets it when the environment is torn
/// down (N-API frees it then).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tsfn(pub(crate) sys::napi_threadsafe_function);
// SAFETY: a threadsafe function is made to be called from any thread.
unsafe impl Send for Tsfn {}
// SAFETY: as above.
unsafe impl Sync for Tsfn {}

/// The body a wake runs on the JS thread (`env` is null at teardown).
type Body = unsafe extern "C" fn(sys::napi_env, sys::napi_value, *mut c_void, *mut c_void);
/// What runs when N-API ends the threadsafe function.
type Finalized = unsafe extern "C" fn(sys::napi_env, *mut c_void, *mut c_void);
/// What runs when the environment is torn down (the owner forgets it).
type Cleanup = unsafe extern "C" fn(*mut c_void);

/// Makes an unref'd threadsafe function named `name` (on the JS thread), and
/// registers `cleanup` for the environment's teardown.
pub(crate) fn make(
    js: Js,
    name: &str,
    body: Body,
    finalized: Finalized,
    cleanup: Cleanup,
) -> JsResult<Tsfn> {
    let name = js.string(name)?;
    let mut made = ptr::null_mut();
    napi_call!(
        js,
        napi_create_threadsafe_function(
            ptr::null_mut(),
            ptr::null_mut(),
            name,
            0,
            1,
            ptr::null_mut(),
            Some(finalized),
            ptr::null_mut(),
            Some(body),
            &mut made
        )
    )?;
    napi_call!(js, napi_unref_threadsafe_function(made))?;
    napi_call!(
        js,
        napi_add_env_cleanup_hook(Some(cleanup), ptr::null_mut())
    )?;
    Ok(Tsfn(made))
}
