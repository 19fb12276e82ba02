//! Reading the maps keyed by str that the spec defines: known keys by name,
//! other keys (and non-str keys) skipped or kept, as `spec/wire.md` asks of
//! hosts ("Hosts MUST ignore map keys they do not know").

use crate::shape_error::{Context, ShapeError};
use crate::value::Value;
use ferryman_wire::reader::{Kind, Reader};

/// Reads the map at the cursor (at nesting `level`), calling `each` with every
/// str key and the reader at its value, which `each` must consume; the values
/// of other keys are skipped.
pub(crate) fn read_map<'a>(
    reader: &mut Reader<'a>,
    level: usize,
    context: &dyn Fn() -> String,
    mut each: impl FnMut(&'a str, &mut Reader<'a>) -> Result<(), ShapeError>,
) -> Result<(), ShapeError> {
    reader.check_level(level).context(context)?;
    let len = reader.map_len().context(context)?;
    for _ in 0..len {
        if reader.peek_kind().context(context)? != Kind::Str {
            reader.skip_at(level + 1).context(context)?;
            reader.skip_at(level + 1).context(context)?;
            continue;
        }
        let key = reader.str().context(context)?;
        each(key, reader)?;
    }
    Ok(())
}

/// A str, or nil.
pub(crate) fn opt_string(
    reader: &mut Reader<'_>,
    context: impl FnOnce() -> String,
) -> Result<Option<String>, ShapeError> {
    if reader.try_nil() {
        return Ok(None);
    }
    reader.str().map(|s| Some(s.to_owned())).context(context)
}

/// A str.
pub(crate) fn string(
    reader: &mut Reader<'_>,
    context: impl FnOnce() -> String,
) -> Result<String, ShapeError> {
    reader.str().map(str::to_owned).context(context)
}

/// A non-negative int that fits `T`, or nil.
pub(crate) fn opt_uint<T: TryFrom<i128>>(
    reader: &mut Reader<'_>,
    context: impl Fn() -> String,
) -> Result<Option<T>, ShapeError> {
    if reader.try_nil() {
        return Ok(None);
    }
    uint(reader, context).map(Some)
}

/// A non-negative int that fits `T`.
pub(crate) fn uint<T: TryFrom<i128>>(
    reader: &mut Reader<'_>,
    context: impl Fn() -> String,
) -> Result<T, ShapeError> {
    let at = reader.clone();
    let n = reader.int().context(&context)?.as_i128();
    T::try_from(n).map_err(|_| ShapeError::Read {
        context: context(),
        error: at.error(ferryman_wire::reader::Problem::Unexpected {
            expected: "an int in range",
            found: at.peek().unwrap_or(0),
        }),
    })
}

/// A value kept as it is, for a key this crate does not know.
pub(crate) fn keep(
    reader: &mut Reader<'_>,
    level: usize,
    key: &str,
    extra: &mut Vec<(String, Value)>,
    context: impl FnOnce() -> String,
) -> Result<(), ShapeError> {
    let value = Value::read(reader, level).context(context)?;
    extra.push((key.to_owned(), value));
    Ok(())
}
