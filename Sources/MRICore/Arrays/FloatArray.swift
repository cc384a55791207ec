/// A dense, row-major n-dimensional array of `Float` (magnitude images, maps, volumes).
public struct FloatArray: Sendable, Equatable {
    /// Extent of each axis.
    public private(set) var shape: [Int]
    /// Elements in row-major order (read-only: the count always equals the shape's product;
    /// write through `subscript(linear:)` or `withUnsafeMutableBufferPointer`).
    public internal(set) var storage: [Float]

    /// Element at a row-major linear offset.
    public subscript(linear i: Int) -> Float {
        get { storage[i] }
        set { storage[i] = newValue }
    }

    /// The same shape with `transform` applied to every element.
    public func mapElements(_ transform: (Float) throws -> Float) rethrows -> Self {
        Self(shape: shape, storage: try storage.map(transform))
    }

    /// Mutable access to the elements (the hot loops' raw pointer; the count cannot change).
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    /// A zero-filled array.
    public init(zeros shape: [Int]) {
        self.shape = shape
        self.storage = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    /// Wraps existing storage; `storage.count` must equal the product of `shape`.
    public init(shape: [Int], storage: [Float]) {
        precondition(storage.count == shape.reduce(1, *), "storage \(storage.count) ≠ shape \(shape)")
        self.shape = shape
        self.storage = storage
    }

    /// Number of elements.
    public var count: Int { storage.count }

    /// Element at a multi-index (bounds-checked).
    public subscript(_ index: Int...) -> Float {
        get { storage[offset(index)] }
        set { storage[offset(index)] = newValue }
    }

    func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count)
        var o = 0
        for (i, n) in zip(index, shape) {
            precondition(i >= 0 && i < n, "index \(index) outside \(shape)")
            o = o * n + i
        }
        return o
    }

    /// Sub-array along the leading axis.
    public func item(_ i: Int) -> FloatArray {
        let inner = Array(shape.dropFirst())
        let n = inner.reduce(1, *)
        return FloatArray(shape: inner, storage: Array(storage[(i * n)..<((i + 1) * n)]))
    }

    /// Stacks equal-shaped arrays along a new leading axis.
    public static func stacked(_ items: [FloatArray]) -> FloatArray {
        precondition(!items.isEmpty)
        var s = [Float]()
        for it in items {
            precondition(it.shape == items[0].shape)
            s.append(contentsOf: it.storage)
        }
        return FloatArray(shape: [items.count] + items[0].shape, storage: s)
    }

    /// The same elements with a new shape.
    public func reshaped(_ newShape: [Int]) -> FloatArray { FloatArray(shape: newShape, storage: storage) }

    /// Largest element (−∞ when empty).
    public var max: Float { storage.max() ?? -.infinity }
}
