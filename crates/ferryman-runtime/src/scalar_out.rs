//! Scalar results written straight into the output ([`DirectOut`]): the
//! shortest MessagePack form, byte for byte what the serde encoder writes
//! (`ferryman_wire::scalar` is shared by both), as one fixed-size store
//! instead of a trip through the serializer and a `memcpy` call.

use crate::kind::DirectOut;
use ferryman_buffer::Sink;
use ferryman_wire::scalar::{self, Encoded};

#[inline(always)]
fn put(sink: &mut Sink<'_>, encoded: Encoded) -> bool {
    let (word, len) = encoded.word();
    sink.write_word(word, len);
    true
}

macro_rules! direct_out {
    ($encode:ident as $wide:ty: $($ty:ty),*) => {$(
        impl DirectOut for $ty {
            #[inline(always)]
            fn write_direct(&self, sink: &mut Sink<'_>) -> bool {
                put(sink, scalar::$encode(<$wide>::from(*self)))
            }
        }
    )*};
}

direct_out!(int as i64: i8, i16, i32, i64);
direct_out!(uint as u64: u8, u16, u32, u64);
direct_out!(f64 as f64: f64);
direct_out!(f32 as f32: f32);

impl DirectOut for bool {
    #[inline(always)]
    fn write_direct(&self, sink: &mut Sink<'_>) -> bool {
        let mut word = [0u8; 9];
        word[0] = 0xc2 | u8::from(*self);
        sink.write_word(&word, 1);
        true
    }
}

impl DirectOut for () {
    #[inline(always)]
    fn write_direct(&self, sink: &mut Sink<'_>) -> bool {
        let mut word = [0u8; 9];
        word[0] = 0xc0;
        sink.write_word(&word, 1);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferryman_abi::FerryBox;
    use serde::Serialize;

    /// What `write_direct` writes, and what the serde encoder writes.
    fn both<T: DirectOut + Serialize>(value: T) -> (Vec<u8>, Vec<u8>) {
        let mut storage = [0u8; 32];
        let mut out = FerryBox {
            ptr: storage.as_mut_ptr(),
            len: 0,
            cap: storage.len(),
        };
        // SAFETY: `storage` outlives the sink and nothing else touches it meanwhile.
        let mut sink = unsafe { Sink::over(&out) };
        assert!(value.write_direct(&mut sink));
        sink.finish(&mut out);
        let direct = storage[..out.len].to_vec();
        let mut serde = Vec::new();
        ferryman_wire::encode(&value, &mut serde).unwrap();
        (direct, serde)
    }

    #[test]
    fn scalars_are_written_exactly_as_serde_writes_them() {
        let ints = [
            0i64,
            1,
            0x7f,
            0x80,
            0xff,
            0x100,
            0xffff,
            0x1_0000,
            0xffff_ffff,
            0x1_0000_0000,
            i64::MAX,
            -1,
            -32,
            -33,
            -0x80,
            -0x81,
            -0x8000,
            -0x8001,
            -0x8000_0000,
            -0x8000_0001,
            i64::MIN,
        ];
        for n in ints {
            let (direct, serde) = both(n);
            assert_eq!(direct, serde, "{n}");
            if let Ok(small) = i32::try_from(n) {
                let (direct, serde) = both(small);
                assert_eq!(direct, serde, "{n} as i32");
            }
            let (direct, serde) = both(n as u64);
            assert_eq!(direct, serde, "{n} as u64");
        }
        for (direct, serde) in [
            both(i8::MIN),
            both(i16::MIN),
            both(u8::MAX),
            both(u16::MAX),
            both(u32::MAX),
            both(1.5f64),
            both(-0.0f64),
            both(f64::NAN),
            both(2.5f32),
            both(true),
            both(false),
            both(()),
        ] {
            assert_eq!(direct, serde);
        }
    }
}
