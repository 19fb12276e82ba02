//! Looking up a library's symbols: the C signatures of the entry points,
//! why a look-up failed, and the box that lends host bytes to a call.

use ferryman_abi::FerryBox;

pub(crate) type AbiVersionFn = unsafe extern "C" fn() -> u32;
pub(crate) type WriteFn = unsafe extern "C" fn(*mut FerryBox) -> i32;
pub(crate) type FunctionIdFn = unsafe extern "C" fn(*const FerryBox) -> i64;
pub(crate) type CallFn = unsafe extern "C" fn(u32, *const FerryBox, *mut FerryBox) -> i32;
pub(crate) type BoxFreeFn = unsafe extern "C" fn(*mut FerryBox);

/// Why a shared object could not be used as a ferryman library.
#[derive(Debug)]
pub(crate) enum LoadError {
    /// `dlopen` refused the file; its message.
    Open(String),
    /// The file loaded but does not export `ferryman_abi_version`.
    NotFerryman,
    /// The library speaks another ABI version.
    AbiMismatch(u32),
    /// The library exports `ferryman_abi_version` but not this symbol.
    MissingSymbol(&'static str, String),
}

/// A box that lends `bytes` to the library (which only reads them).
#[inline]
pub(crate) fn borrowed_box(bytes: &[u8]) -> FerryBox {
    if bytes.is_empty() {
        return FerryBox::EMPTY;
    }
    FerryBox {
        ptr: bytes.as_ptr().cast_mut(),
        len: bytes.len(),
        cap: bytes.len(),
    }
}

/// Looks up `name` and copies the function pointer out.
///
/// # Safety
///
/// `T` must be the function pointer type of the symbol's real signature, and the
/// pointer must not be called after `library` is closed.
pub(crate) unsafe fn resolve<T: Copy>(
    library: &libloading::Library,
    name: &'static str,
) -> Result<T, LoadError> {
    // SAFETY: the caller guarantees `T` matches the symbol's type.
    unsafe { library.get::<T>(name.as_bytes()) }
        .map(|symbol| *symbol)
        .map_err(|error| LoadError::MissingSymbol(name, describe_libloading_error(&error)))
}

/// The error's text followed by `dlerror`'s, which libloading keeps as its source.
pub(crate) fn describe_libloading_error(error: &libloading::Error) -> String {
    use std::error::Error as _;
    match error.source() {
        Some(source) => source.to_string(),
        None => error.to_string(),
    }
}
