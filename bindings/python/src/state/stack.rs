//! How much C stack the current thread has left.
//!
//! Python → Rust → Python recursion costs a few kilobytes of C stack per level,
//! so on a thread with a small stack (2 MiB for a Rust thread, whatever
//! `threading.stack_size` says for a Python one) it overflows — a segmentation
//! fault — long before Python's recursion limit. A callback's `invoke` asks
//! [`too_little_left`] before it runs a callback and raises `RecursionError`
//! instead.

use std::cell::Cell;

/// The most stack a callback must find left: below this it is refused.
const MARGIN: usize = 256 * 1024;

/// A thread's stack: the lowest usable address and the size.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    lowest: usize,
    size: usize,
}

thread_local! {
    /// Looked up once per thread; `None` inside when the platform cannot say.
    static BOUNDS: Cell<Option<Option<Bounds>>> = const { Cell::new(None) };
}

/// `Some((left, size))`, in bytes, when this thread's stack has less than the
/// margin left (a quarter of the stack, at most 256 KiB); `None` when there is
/// room, or when the stack's bounds are unknown.
pub(crate) fn too_little_left() -> Option<(usize, usize)> {
    let bounds = BOUNDS
        .try_with(|cell| match cell.get() {
            Some(bounds) => bounds,
            None => {
                let bounds = this_thread_bounds();
                cell.set(Some(bounds));
                bounds
            }
        })
        .ok()
        .flatten()?;
    let marker = 0u8;
    let here = std::ptr::addr_of!(marker) as usize;
    // Stacks grow down on every platform this package supports.
    let left = here.saturating_sub(bounds.lowest);
    let margin = MARGIN.min(bounds.size / 4);
    (left < margin).then_some((left, bounds.size))
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn this_thread_bounds() -> Option<Bounds> {
    // SAFETY: `attr` is initialised by `pthread_getattr_np` before it is read,
    // and destroyed once; the calls only describe the calling thread.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut lowest: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let found = libc::pthread_attr_getstack(&attr, &mut lowest, &mut size) == 0;
        libc::pthread_attr_destroy(&mut attr);
        (found && !lowest.is_null() && size > 0).then_some(Bounds {
            lowest: lowest as usize,
            size,
        })
    }
}

#[cfg(target_vendor = "apple")]
fn this_thread_bounds() -> Option<Bounds> {
    // SAFETY: both only describe the calling thread.
    let (top, size) = unsafe {
        let me = libc::pthread_self();
        (
            libc::pthread_get_stackaddr_np(me) as usize,
            libc::pthread_get_stacksize_np(me),
        )
    };
    (top > size && size > 0).then_some(Bounds {
        lowest: top - size,
        size,
    })
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn this_thread_bounds() -> Option<Bounds> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(target_os = "linux", target_vendor = "apple"))]
    #[test]
    fn a_thread_knows_its_stack_and_has_room_at_the_top() {
        let size = 1 << 20;
        let (bounds, check) = std::thread::Builder::new()
            .stack_size(size)
            .spawn(|| (this_thread_bounds(), too_little_left()))
            .expect("thread")
            .join()
            .expect("joined");
        let bounds = bounds.expect("known bounds");
        assert!(bounds.size >= size, "{bounds:?}");
        assert_eq!(check, None, "a fresh thread has room");
    }

    #[cfg(any(target_os = "linux", target_vendor = "apple"))]
    #[test]
    fn deep_recursion_is_noticed_before_the_end_of_the_stack() {
        fn dive(depth: usize) -> usize {
            let ballast = [0u8; 4096];
            std::hint::black_box(&ballast);
            match too_little_left() {
                Some(_) => depth,
                None => dive(depth + 1) + std::hint::black_box(0),
            }
        }
        let (depth, bounds) = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(|| (dive(0), this_thread_bounds()))
            .expect("thread")
            .join()
            .expect("no overflow");
        // At least 1 MiB (glibc may hand out a larger cached stack) of 4 KiB
        // frames, the margin kept.
        let size = bounds.expect("known bounds").size;
        let most = (size - MARGIN.min(size / 4)) / 4096;
        assert!((most * 2 / 5..=most).contains(&depth), "{depth} of {most}");
    }
}
