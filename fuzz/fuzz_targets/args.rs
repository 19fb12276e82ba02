//! The argument decoder (`ferryman_wire::Args`): any bytes, read as an
//! argument array of one to four parameters of the types exported functions
//! take. Nothing may panic or abort; every failure is a `DecodeError` whose
//! message can be written.
#![no_main]

use std::collections::{BTreeMap, HashMap};

use ferryman_wire::{Args, DecodeError, SliceArg};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;

#[derive(Deserialize)]
#[allow(dead_code)]
struct Point {
    x: f64,
    y: f64,
}

#[derive(Deserialize)]
#[allow(dead_code)]
enum Shape {
    Circle(f64),
    Rect { w: f64, h: f64 },
    Pair(i32, String),
    Empty,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Record<'a> {
    name: &'a str,
    #[serde(with = "serde_bytes")]
    data: &'a [u8],
    tags: Option<Vec<String>>,
    #[serde(default)]
    shape: Option<Shape>,
}

/// Reads parameter `index` as type number `kind`; `Err` ends the call, as a
/// shim's first failing parameter does.
fn read(args: &mut Args<'_>, index: usize, kind: u8) -> Result<(), Box<DecodeError>> {
    match kind % 26 {
        0 => drop(args.next::<i64>(index)?),
        1 => drop(args.next::<u8>(index)?),
        2 => drop(args.next::<i8>(index)?),
        3 => drop(args.next::<u64>(index)?),
        4 => drop(args.next::<i128>(index)?),
        5 => drop(args.next::<u128>(index)?),
        6 => drop(args.next::<f32>(index)?),
        7 => drop(args.next::<f64>(index)?),
        8 => drop(args.next::<bool>(index)?),
        9 => drop(args.next::<String>(index)?),
        10 => drop(args.next::<&str>(index)?),
        11 => drop(args.next::<&serde_bytes::Bytes>(index)?),
        12 => drop(args.next::<serde_bytes::ByteBuf>(index)?),
        13 => drop(args.next::<Vec<i64>>(index)?),
        14 => drop(args.next::<Option<String>>(index)?),
        15 => drop(args.next::<HashMap<String, i64>>(index)?),
        16 => drop(args.next::<BTreeMap<i64, String>>(index)?),
        17 => drop(args.next::<(i64, String, Option<f64>)>(index)?),
        18 => drop(args.next::<Point>(index)?),
        19 => drop(args.next::<Shape>(index)?),
        20 => drop(args.next::<Vec<Vec<Option<f64>>>>(index)?),
        21 => drop(args.next::<char>(index)?),
        22 => drop(args.next::<Record<'_>>(index)?),
        23 => drop(args.next::<SliceArg<'_, f64>>(index)?),
        24 => drop(args.next::<SliceArg<'_, i16>>(index)?),
        _ => args.next::<()>(index)?,
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    // First byte: how many parameters (1-4) and their types; then the array.
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let count = usize::from(selector & 3) + 1;
    let mut args = match Args::new(bytes, count) {
        Ok(args) => args,
        Err(error) => return drop(error.to_string()),
    };
    assert_eq!(args.len(), count);
    for index in 0..count {
        let kind = (selector >> 2).wrapping_add((index as u8).wrapping_mul(7));
        if let Err(error) = read(&mut args, index, kind) {
            return drop(error.to_string());
        }
    }
    if let Err(error) = args.finish() {
        drop(error.to_string());
    }
});
