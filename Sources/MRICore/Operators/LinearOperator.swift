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
}

extension LinearOperator {
    /// Default normal operator: Aᴴ(A x).
    public func normal(_ x: ComplexArray) -> ComplexArray { adjoint(apply(x)) }

    /// The composition `self ∘ inner` (apply `inner` first); its adjoint is the reversed chain.
    public func composed(with inner: some LinearOperator) -> ComposedOperator {
        ComposedOperator(outer: self, inner: inner)
    }
}
