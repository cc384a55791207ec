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
    /// (O∘I)ᴴ(O∘I) = Iᴴ (OᴴO) I: the outer operator's own (possibly cheaper) normal form.
    public func normal(_ x: ComplexArray) -> ComplexArray { inner.adjoint(outer.normal(inner.apply(x))) }
}
