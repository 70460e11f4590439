//! The command's memory allocator: mimalloc for the small blocks judging a claim makes and
//! frees by the thousand (its findings' strings and lists), the system's for large ones.
//!
//! glibc's `malloc` and `free` were a sixth of the instructions of judging a claim, and
//! mimalloc takes a quarter off the wall time of a run (docs/performance.md, issue 26). But
//! mimalloc keeps the large blocks a pack's tables are built in after they are freed, which
//! raised a run's peak memory by half; the system allocator hands them back at once. A block
//! goes to one or the other by its size, which `dealloc` and `realloc` are told as well, so
//! each block is freed by the allocator that made it.

use std::alloc::{GlobalAlloc, Layout, System};

use mimalloc::MiMalloc;

/// Blocks of this many bytes or more come from the system allocator.
const LARGE: usize = 64 * 1024;

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
