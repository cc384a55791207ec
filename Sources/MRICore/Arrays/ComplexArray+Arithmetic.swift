/// Vector-space arithmetic on `ComplexArray`, as used by the iterative solvers.
/// Shapes must match exactly (programmer error otherwise).
extension ComplexArray {
    /// Hermitian inner product ⟨a, b⟩ = Σ conj(a_i)·b_i, accumulated in double precision.
    public func dot(_ other: ComplexArray) -> (re: Double, im: Double) {
        precondition(shape == other.shape, "dot: \(shape) vs \(other.shape)")
        var re = 0.0, im = 0.0
        storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                for i in 0..<a.count {
                    let x = a[i], y = b[i]
                    re += Double(x.re) * Double(y.re) + Double(x.im) * Double(y.im)
                    im += Double(x.re) * Double(y.im) - Double(x.im) * Double(y.re)
                }
            }
        }
        return (re, im)
    }

    /// ‖a‖² = Σ |a_i|² in double precision.
    public var normSquared: Double {
        storage.withUnsafeBufferPointer { a in
            var s = 0.0
            for z in a { s += Double(z.re) * Double(z.re) + Double(z.im) * Double(z.im) }
            return s
        }
    }

    /// ‖a‖₂.
    public var norm: Double { normSquared.squareRoot() }

    /// self ← self + α·x (α complex).
    public mutating func add(_ x: ComplexArray, scaledBy alpha: ComplexFloat = ComplexFloat(1, 0)) {
        precondition(shape == x.shape, "add: \(shape) vs \(x.shape)")
        storage.withUnsafeMutableBufferPointer { a in
            x.storage.withUnsafeBufferPointer { b in
                for i in 0..<a.count { a[i] += alpha * b[i] }
            }
        }
    }

    /// self ← α·self (α real).
    public mutating func scale(by alpha: Float) {
        storage.withUnsafeMutableBufferPointer { a in
            for i in 0..<a.count { a[i] = a[i] * alpha }
        }
    }

    /// α·self.
    public func scaled(by alpha: Float) -> ComplexArray {
        var c = self
        c.scale(by: alpha)
        return c
    }

    public static func + (a: ComplexArray, b: ComplexArray) -> ComplexArray {
        var c = a
        c.add(b)
        return c
    }

    public static func - (a: ComplexArray, b: ComplexArray) -> ComplexArray {
        var c = a
        c.add(b, scaledBy: ComplexFloat(-1, 0))
        return c
    }
}
