/// The centred orthonormal 2-D FFT over the trailing two axes as an operator (unitary).
public struct FourierOperator: LinearOperator {
    public let inputShape: [Int]
    /// Threads and planning of the transforms.
    public let compute: ComputeSettings
    public init(shape: [Int], compute: ComputeSettings = .machine) {
        inputShape = shape
        self.compute = compute
    }
    public var outputShape: [Int] { inputShape }
    public func apply(_ x: ComplexArray) -> ComplexArray {
        precondition(x.shape == inputShape, "FourierOperator: \(x.shape) ≠ \(inputShape)")
        return CenteredFFT.forward(x, compute: compute)
    }
    public func adjoint(_ y: ComplexArray) -> ComplexArray {
        precondition(y.shape == inputShape, "FourierOperator: \(y.shape) ≠ \(inputShape)")
        return CenteredFFT.inverse(y, compute: compute)
    }
    public func normal(_ x: ComplexArray) -> ComplexArray { x }
}
