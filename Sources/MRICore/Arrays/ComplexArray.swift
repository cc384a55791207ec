/// A dense, row-major (C order) n-dimensional array of `ComplexFloat`.
///
/// The last axis varies fastest, as in NumPy. mri-daps uses the axis order of `SliceShape`:
/// a multi-coil slice is `[coils, H, W]`, an image `[H, W]`.
public struct ComplexArray: Sendable, Equatable {
    /// Extent of each axis.
    public private(set) var shape: [Int]
    /// Elements in row-major order (read-only: the count always equals the shape's product;
    /// write through `subscript(linear:)` or `withUnsafeMutableBufferPointer`).
    public internal(set) var storage: [ComplexFloat]

    /// Element at a row-major linear offset.
    public subscript(linear i: Int) -> ComplexFloat {
        get { storage[i] }
        set { storage[i] = newValue }
    }

    /// The same shape with `transform` applied to every element.
    public func mapElements(_ transform: (ComplexFloat) throws -> ComplexFloat) rethrows -> Self {
        Self(shape: shape, storage: try storage.map(transform))
    }

    /// Mutable access to the elements (the hot loops' raw pointer; the count cannot change).
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<ComplexFloat>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    /// A zero-filled array of the given shape.
    public init(zeros shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in \(shape)")
        self.shape = shape
        self.storage = [ComplexFloat](repeating: .zero, count: shape.reduce(1, *))
    }

    /// Wraps existing storage; `storage.count` must equal the product of `shape`.
    public init(shape: [Int], storage: [ComplexFloat]) {
        precondition(storage.count == shape.reduce(1, *), "storage \(storage.count) ≠ shape \(shape)")
        self.shape = shape
        self.storage = storage
    }

    /// Builds a complex array from a real one (zero imaginary part).
    public init(real: FloatArray) {
        self.shape = real.shape
        self.storage = real.storage.map { ComplexFloat($0, 0) }
    }

    /// Number of elements.
    @inlinable public var count: Int { storage.count }
    /// Number of axes.
    public var rank: Int { shape.count }

    /// Element at a multi-index (bounds-checked; for tests and cold paths).
    public subscript(_ index: Int...) -> ComplexFloat {
        get { storage[offset(index)] }
        set { storage[offset(index)] = newValue }
    }

    /// Row-major linear offset of a multi-index.
    public func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index rank \(index.count) ≠ \(shape.count)")
        var o = 0
        for (i, n) in zip(index, shape) {
            precondition(i >= 0 && i < n, "index \(index) outside \(shape)")
            o = o * n + i
        }
        return o
    }

    /// The same elements with a new shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> ComplexArray {
        ComplexArray(shape: newShape, storage: storage)
    }

    /// Sub-array along the leading axis: element `i` of `[n, rest...]` as `[rest...]`.
    public func item(_ i: Int) -> ComplexArray {
        precondition(rank >= 1 && i >= 0 && i < shape[0])
        let inner = Array(shape.dropFirst())
        let n = inner.reduce(1, *)
        return ComplexArray(shape: inner, storage: Array(storage[(i * n)..<((i + 1) * n)]))
    }

    /// Stacks equal-shaped arrays along a new leading axis.
    public static func stacked(_ items: [ComplexArray]) -> ComplexArray {
        precondition(!items.isEmpty)
        let inner = items[0].shape
        var s = [ComplexFloat]()
        s.reserveCapacity(items.count * items[0].count)
        for it in items {
            precondition(it.shape == inner, "cannot stack \(it.shape) with \(inner)")
            s.append(contentsOf: it.storage)
        }
        return ComplexArray(shape: [items.count] + inner, storage: s)
    }

    /// Element-wise magnitude.
    public var magnitude: FloatArray {
        FloatArray(shape: shape, storage: storage.map { $0.magnitude })
    }

    /// True when every element is finite.
    public var isFinite: Bool {
        storage.withUnsafeBufferPointer { p in
            for z in p where !(z.re.isFinite && z.im.isFinite) { return false }
            return true
        }
    }
}
