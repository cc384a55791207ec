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
