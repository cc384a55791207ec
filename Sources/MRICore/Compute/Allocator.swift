import CKernels

/// The process's allocator settings.
public enum Allocator {
    /// glibc's allocator, once per process: image-sized arrays (a 320×368 complex image is
    /// 0.9 MB) stay in the heap when freed instead of going back to the kernel (mmap threshold
    /// 64 MB, trim threshold 256 MB), and no fast bins, whose consolidation every free of a large
    /// block triggers (`ck_tune_allocator`). The sampler allocates and frees such arrays at every
    /// step; with glibc's defaults malloc_consolidate, _int_free and page faults took 5–7 % of a
    /// DAPS slice's time (docs/performance.md). Called by `ComputeSettings.applyToProcess`.
    public static func tuneForLargeArrays() { _ = tuned }

    private static let tuned: Void = ck_tune_allocator()
}
