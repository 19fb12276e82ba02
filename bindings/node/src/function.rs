//! Exported functions as JS functions: one per describe entry, each with
//! its own call site (argument and result buffers reused call after call).

use std::cell::RefCell;
use std::ptr;

use ferryman_host::{Describe, Function, Shape, Type};
use napi::sys;

use crate::bin_result::Expect;
use crate::call::{self, Buffers, Names, Target};
use crate::js::{napi_call, Js, JsResult, Value};
use crate::library::Lib;

/// What one function's JS function holds (leaked with the library).
#[derive(Debug)]
struct Site {
    lib: &'static Lib,
    id: u32,
    name: String,
    params: Vec<(String, String)>,
    /// Per parameter: whether a whole `number` beyond 64 bits goes as
    /// extension 4 (`wide`).
    wide: Vec<bool>,
    /// Per parameter: whether it is a `ferryman::Bytes`, which keeps its
    /// bytes (`keeps`).
    keeps: Vec<bool>,
    /// Per parameter: its describe `default`, encoded (sent for `undefined`).
    defaults: Vec<Option<Vec<u8>>>,
    args: RefCell<Vec<u8>>,
    out: RefCell<Vec<u8>>,
    /// Whether the next result is expected to be a large bin.
    expect: Expect,
}

/// The JS function that calls `function` of `lib`.
pub(crate) fn make(js: Js, lib: &'static Lib, function: &Function) -> JsResult<Value> {
    let params = function
        .params
        .iter()
        .map(|param| {
            let rust = param
                .rust
                .clone()
                .unwrap_or_else(|| format!("{:?}", param.ty));
            (param.name.clone(), rust)
        })
        .collect();
    let wide = function
        .params
        .iter()
        .map(|param| wide(&lib.describe, &param.ty, 0))
        .collect();
    let keeps = function
        .params
        .iter()
        .map(|param| param.rust.as_deref().is_some_and(is_bytes_type))
        .collect();
    let defaults = function
        .params
        .iter()
        .map(|param| {
            param.default.as_ref().map(|value| {
                let mut bytes = Vec::new();
                value.encode(&mut bytes);
                bytes
            })
        })
        .collect();
    let site: &'static Site = Box::leak(Box::new(Site {
        lib,
        id: function.id,
        name: function.name.clone(),
        params,
        wide,
        keeps,
        defaults,
        args: RefCell::new(Vec::with_capacity(64)),
        out: RefCell::new(Vec::with_capacity(256)),
        expect: Expect::default(),
    }));
    // Class members (`Meter.read`) are named by their member name.
    let name = function.name.rsplit('.').next().unwrap_or(&function.name);
    let mut value = ptr::null_mut();
    napi_call!(
        js,
        napi_create_function(
            name.as_ptr().cast(),
            name.len() as isize,
            Some(trampoline),
            ptr::from_ref(site).cast_mut().cast(),
            &mut value
        )
    )?;
    Ok(value)
}

unsafe extern "C" fn trampoline(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    // SAFETY: N-API calls this on the JS thread with its env.
    let js = unsafe { Js::from_raw(env) };
    call::with_args(js, info, |argv, data| {
        // SAFETY: `make` passed a leaked `Site` as the function's data.
        let site = unsafe { &*data.cast::<Site>() };
        // `new lib.add(1, 2)`: refused before anything is sent, as JS refuses
        // its own non-constructors (N-API functions would otherwise construct).
        if js.constructing(info) {
            return Err(call::not_a_constructor(js, &site.name));
        }
        let names = Names::Function {
            name: &site.name,
            params: &site.params,
            wide: &site.wide,
            keeps: &site.keeps,
            defaults: &site.defaults,
        };
        let target = Target::Function(site.id);
        // A call from inside a callback of the same function gets buffers
        // of its own.
        match (site.args.try_borrow_mut(), site.out.try_borrow_mut()) {
            (Ok(mut args), Ok(mut out)) => {
                let buffers = Buffers {
                    args: &mut args,
                    out: &mut out,
                    expect: Some(&site.expect),
                };
                call::call(js, site.lib, target, &names, argv, buffers)
            }
            _ => {
                let buffers = Buffers {
                    args: &mut Vec::new(),
                    out: &mut Vec::new(),
                    expect: None,
                };
                call::call(js, site.lib, target, &names, argv, buffers)
            }
        }
    })
}

/// Whether `ty` has `i128` or `u128` in it, or may (a type describe does
/// not list): only there are integers beyond 64 bits sent as extension 4
/// (`spec/wire.md`, "Big integers"); elsewhere a whole `number` that large
/// stays a float, which an `f64` takes.
/// Whether `rust`, a parameter's Rust type as describe gives it, is
/// `ferryman::Bytes` (as written: with its path or imported).
fn is_bytes_type(rust: &str) -> bool {
    matches!(rust, "Bytes" | "ferryman::Bytes" | "::ferryman::Bytes")
}

fn wide(describe: &Describe, ty: &Type, depth: usize) -> bool {
    // Recursive types: deep enough is "cannot tell".
    if depth > 16 {
        return true;
    }
    let inner = |ty: &Type| wide(describe, ty, depth + 1);
    match ty {
        Type::I128 | Type::U128 | Type::Unknown(_) => true,
        Type::List(item) | Type::Option(item) | Type::Iter(item) => inner(item),
        Type::Tuple(items) => items.iter().any(inner),
        Type::Map(key, value) => inner(key) || inner(value),
        Type::Named(name) => match describe.types.iter().find(|t| &t.name == name) {
            Some(named) => shape_wide(describe, &named.shape, depth + 1),
            None => true,
        },
        _ => false,
    }
}

fn shape_wide(describe: &Describe, shape: &Shape, depth: usize) -> bool {
    match shape {
        Shape::Struct(fields) => fields.iter().any(|f| wide(describe, &f.ty, depth)),
        Shape::Tuple(items) => items.iter().any(|t| wide(describe, t, depth)),
        Shape::Newtype(ty) => wide(describe, ty, depth),
        Shape::Unit => false,
        Shape::Enum(variants) => variants
            .iter()
            .any(|v| shape_wide(describe, &v.shape, depth + 1)),
        Shape::Other(_) => true,
    }
}
