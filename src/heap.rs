//! A binary max-heap kept in a slice: heapsort for the vocabulary, and ranking the most likely
//! characters for top-k / top-p sampling without sorting the whole vocabulary. (std's sorts
//! would add ~5 KB each to the wasm module.) `less` must be a strict total order.

/// Restores the heap property below `root` in `v[..end]`.
fn sift_down<T>(v: &mut [T], mut root: usize, end: usize, less: &(impl Fn(&T, &T) -> bool + ?Sized)) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&v[child], &v[child + 1]) {
            child += 1;
        }
        if !less(&v[root], &v[child]) {
            return;
        }
        v.swap(root, child);
        root = child;
    }
}

/// Makes `v` a max-heap under `less`, in O(n).
pub(crate) fn heapify<T>(v: &mut [T], less: &(impl Fn(&T, &T) -> bool + ?Sized)) {
    for i in (0..v.len() / 2).rev() {
        sift_down(v, i, v.len(), less);
    }
}

/// Moves the largest of the heap `v[..end]` to `v[end - 1]`; `v[..end - 1]` stays a heap.
/// Popping m times from a heap of n costs O(m log n) and leaves the m largest, largest last, in
/// `v[n - m..]`.
pub(crate) fn pop<T>(v: &mut [T], end: usize, less: &(impl Fn(&T, &T) -> bool + ?Sized)) {
    v.swap(0, end - 1);
    sift_down(v, 0, end - 1, less);
}

/// Sorts `v` ascending under `less`, in O(n log n). `less` is a `dyn`: one copy serves every
/// order of a type (sorting is off the hot path; ranking for sampling keeps its own).
pub(crate) fn heapsort<T>(v: &mut [T], less: &dyn Fn(&T, &T) -> bool) {
    heapify(v, less);
    for end in (2..=v.len()).rev() {
        pop(v, end, less);
    }
}
