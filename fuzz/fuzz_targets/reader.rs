//! The MessagePack cursor (`ferryman_wire::reader`) and `value_len`, its skip:
//! on any bytes, skipping a value and reading it element by element with the
//! typed reads agree (both fail, or both end at the same offset), and the
//! host core's `Value` tree reads exactly what the skip measured.
#![no_main]

use ferryman_host::Value;
use ferryman_wire::reader::{Kind, ReadError, Reader};
use ferryman_wire::value_len;
use libfuzzer_sys::fuzz_target;

/// Reads one value at nesting `level` with the typed reads, by its kind.
/// Only containers count against the nesting limit (`spec/wire.md`,
/// "Limits"), as in the skip: a scalar inside the deepest container is read.
fn walk(reader: &mut Reader<'_>, level: usize) -> Result<(), ReadError> {
    match reader.peek_kind()? {
        Kind::Nil => reader.nil(),
        Kind::Bool => reader.bool().map(drop),
        Kind::Int => reader.int().map(drop),
        Kind::Float => match reader.peek()? {
            0xca => reader.f32().map(drop),
            _ => reader.f64().map(drop),
        },
        Kind::Str => reader.str_bytes().map(drop),
        Kind::Bin => reader.bin().map(drop),
        Kind::Ext => reader.ext().map(drop),
        Kind::Array => {
            let len = reader.array_len()?;
            reader.check_level(level)?;
            for _ in 0..len {
                walk(reader, level + 1)?;
            }
            Ok(())
        }
        Kind::Map => {
            let len = reader.map_len()?;
            reader.check_level(level)?;
            for _ in 0..len {
                walk(reader, level + 1)?;
                walk(reader, level + 1)?;
            }
            Ok(())
        }
        Kind::Reserved => reader.skip(),
    }
}

fuzz_target!(|data: &[u8]| {
    let skipped = value_len(data);
    if let Ok(len) = skipped {
        assert!(
            len >= 1 && len <= data.len(),
            "value_len {len} of {} bytes",
            data.len()
        );
    }
    let mut reader = Reader::new(data);
    let walked = walk(&mut reader, 1).map(|()| reader.position());
    match (&skipped, &walked) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "skip and the typed reads disagree on the length"),
        (Err(_), Err(_)) => {}
        _ => panic!("skip {skipped:?} but typed reads {walked:?}"),
    }
    // The host core's tree reads one whole value: it succeeds only on exactly
    // one value whose length the skip measured.
    if let Ok(value) = Value::decode(data) {
        assert_eq!(skipped, Ok(data.len()), "Value read {value:?}");
    }
    if let Err(error) = skipped {
        drop(error.to_string());
    }
});
