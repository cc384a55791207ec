/// A linear map between complex arrays with its adjoint, the vocabulary every solver and the
/// DAPS sampler speak (BART `linop`, SigPy `Linop`).
///
/// Contract: for all x, y of the declared shapes, ⟨A x, y⟩ = ⟨x, Aᴴ y⟩ (checked for every
/// conformer in the test suite). `normal` is AᴴA; conformers override it when a cheaper form
/// exists. Shapes are checked at `apply`/`adjoint` (a mismatch is a programmer error).
public protocol LinearOperator: Sendable {
    /// Shape of the domain.
    var inputShape: [Int] { get }
    /// Shape of the range.
    var outputShape: [Int] { get }
    /// A x.
    func apply(_ x: ComplexArray) -> ComplexArray
    /// Aᴴ y.
    func adjoint(_ y: ComplexArray) -> ComplexArray
    /// Aᴴ A x.
    func normal(_ x: ComplexArray) -> ComplexArray
    /// A draw of Aᴴε, ε a complex array of `outputShape` whose real and imaginary parts are
    /// independent N(0, scale²) (the measurement-noise term of a perturb-and-solve draw).
    /// Only the distribution is specified: conformers may draw fewer variates where parts of
    /// ε are annihilated by Aᴴ (unsampled k-space) or where a unitary factor maps white
    /// noise to white noise. The same `rng` state gives the same array.
    func adjointOfNoise(scale: Float, rng: inout SeededRNG) -> ComplexArray
}

extension LinearOperator {
    /// Default normal operator: Aᴴ(A x).
    public func normal(_ x: ComplexArray) -> ComplexArray { adjoint(apply(x)) }

    /// Default: Aᴴ applied to a full draw of ε.
    public func adjointOfNoise(scale: Float, rng: inout SeededRNG) -> ComplexArray {
        var e = ComplexArray(zeros: outputShape)
        e.storage.withUnsafeMutableBufferPointer { p in
            p.withMemoryRebound(to: Float.self) { f in
                rng.fillGaussian(f.baseAddress!, count: f.count, scale: scale)
            }
        }
        return adjoint(e)
    }

    /// The composition `self ∘ inner` (apply `inner` first); its adjoint is the reversed chain.
    public func composed(with inner: some LinearOperator) -> ComposedOperator {
        ComposedOperator(outer: self, inner: inner)
    }
}

/// `outer ∘ inner`: x ↦ outer(inner(x)); adjoint y ↦ innerᴴ(outerᴴ(y)).
public struct ComposedOperator: LinearOperator {
    public let outer: any LinearOperator
    public let inner: any LinearOperator
    public init(outer: any LinearOperator, inner: any LinearOperator) {
        precondition(outer.inputShape == inner.outputShape,
                     "compose: outer input \(outer.inputShape) ≠ inner output \(inner.outputShape)")
        self.outer = outer
        self.inner = inner
    }
    public var inputShape: [Int] { inner.inputShape }
    public var outputShape: [Int] { outer.outputShape }
    public func apply(_ x: ComplexArray) -> ComplexArray { outer.apply(inner.apply(x)) }
    public func adjoint(_ y: ComplexArray) -> ComplexArray { inner.adjoint(outer.adjoint(y)) }
}

/// Element-wise multiplication by fixed complex weights: (D x)_i = w_i x_i, Dᴴ uses conj(w).
public struct DiagonalOperator: LinearOperator {
    public let weights: ComplexArray
    public init(weights: ComplexArray) { self.weights = weights }
    public var inputShape: [Int] { weights.shape }
    public var outputShape: [Int] { weights.shape }
    public func apply(_ x: ComplexArray) -> ComplexArray { multiply(x, conjugate: false) }
    public func adjoint(_ y: ComplexArray) -> ComplexArray { multiply(y, conjugate: true) }
    private func multiply(_ x: ComplexArray, conjugate: Bool) -> ComplexArray {
        precondition(x.shape == weights.shape, "DiagonalOperator: input \(x.shape) ≠ \(weights.shape)")
        var out = x
        out.storage.withUnsafeMutableBufferPointer { o in
            weights.storage.withUnsafeBufferPointer { w in
                for i in 0..<o.count { o[i] = (conjugate ? w[i].conjugate : w[i]) * o[i] }
            }
        }
        return out
    }
}

/// The centred orthonormal 2-D FFT over the trailing two axes as an operator (unitary).
public struct FourierOperator: LinearOperator {
    public let inputShape: [Int]
    public init(shape: [Int]) { inputShape = shape }
    public var outputShape: [Int] { inputShape }
    public func apply(_ x: ComplexArray) -> ComplexArray {
        precondition(x.shape == inputShape, "FourierOperator: \(x.shape) ≠ \(inputShape)")
        return CenteredFFT.forward(x)
    }
    public func adjoint(_ y: ComplexArray) -> ComplexArray {
        precondition(y.shape == inputShape, "FourierOperator: \(y.shape) ≠ \(inputShape)")
        return CenteredFFT.inverse(y)
    }
    public func normal(_ x: ComplexArray) -> ComplexArray { x }
}
