//! The command's memory allocator: mimalloc for the small blocks judging a claim makes and
//! frees by the thousand (its findings' strings and lists), the system's for large ones.
//!
//! The library does not choose an allocator for its users; a program sets it with
//! `#[global_allocator] static A: claimrules::allocator::SplitAllocator = SplitAllocator;`, as
//! `claimrules` itself and the benches do.
//!
//! glibc's `malloc` and `free` were a sixth of the instructions of judging a claim; with this
//! allocator a claim takes an eighth fewer (docs/performance.md, issue 26). mimalloc alone keeps
//! the large blocks a pack's tables are built in after they are freed, which raised a run's
//! peak memory by half; the system allocator hands them back at once. A block
//! goes to one or the other by its size, which `dealloc` and `realloc` are told as well, so
//! each block is freed by the allocator that made it.

use std::alloc::{GlobalAlloc, Layout, System};

use mimalloc::MiMalloc;

/// Blocks of this many bytes or more come from the system allocator.
pub const LARGE: usize = 64 * 1024;

/// mimalloc below [`LARGE`] bytes, the system allocator from it on.
pub struct SplitAllocator;

fn small(layout: &Layout) -> bool {
    layout.size() < LARGE
}

// SAFETY: every block is made and freed by the same allocator, chosen by its layout's size,
// which the caller passes unchanged to `dealloc` and `realloc`; both allocators are sound.
unsafe impl GlobalAlloc for SplitAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if small(&layout) {
            unsafe { MiMalloc.alloc(layout) }
        } else {
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if small(&layout) {
            unsafe { MiMalloc.alloc_zeroed(layout) }
        } else {
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if small(&layout) {
            unsafe { MiMalloc.dealloc(ptr, layout) }
        } else {
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_small = new_size < LARGE;
        match (small(&layout), new_small) {
            (true, true) => unsafe { MiMalloc.realloc(ptr, layout, new_size) },
            (false, false) => unsafe { System.realloc(ptr, layout, new_size) },
            // Across the line: a new block from the other allocator, the bytes copied over.
            _ => {
                let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
                    return std::ptr::null_mut();
                };
                let new = unsafe { self.alloc(new_layout) };
                if !new.is_null() {
                    unsafe {
                        std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                }
                new
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block grown past the line and shrunk back keeps its bytes, whichever allocator holds it.
    #[test]
    fn realloc_across_the_line_keeps_the_bytes() {
        let a = SplitAllocator;
        let small = Layout::from_size_align(100, 8).unwrap();
        unsafe {
            let p = a.alloc(small);
            assert!(!p.is_null());
            for i in 0..100 {
                *p.add(i) = i as u8;
            }
            let grown = a.realloc(p, small, 3 * LARGE);
            assert!(!grown.is_null());
            assert!((0..100).all(|i| *grown.add(i) == i as u8));
            *grown.add(3 * LARGE - 1) = 7;
            let large = Layout::from_size_align(3 * LARGE, 8).unwrap();
            let shrunk = a.realloc(grown, large, 50);
            assert!(!shrunk.is_null());
            assert!((0..50).all(|i| *shrunk.add(i) == i as u8));
            a.dealloc(shrunk, Layout::from_size_align(50, 8).unwrap());
            let zeroed = a.alloc_zeroed(large);
            assert!((0..3 * LARGE).all(|i| *zeroed.add(i) == 0));
            a.dealloc(zeroed, large);
        }
    }
}
