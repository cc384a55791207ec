import MRICore

/// Element-wise multiplication by fixed complex weights: (D x)_i = w_i x_i, Dᴴ uses conj(w)
/// (a test operator: the solvers and the operator algebra are checked with it).
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
        out.withUnsafeMutableBufferPointer { o in
            weights.storage.withUnsafeBufferPointer { w in
                for i in 0..<o.count { o[i] = (conjugate ? w[i].conjugate : w[i]) * o[i] }
            }
        }
        return out
    }
}
