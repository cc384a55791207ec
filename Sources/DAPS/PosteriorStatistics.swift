import MRICore

/// Per-pixel statistics of posterior draws x⁽¹⁾ … x⁽ⁿ⁾ (complex images [H, W]).
///
/// - `meanMagnitude` = (1/n) Σ_k |x⁽ᵏ⁾| (the posterior mean of the magnitude; this is what
///   `reconstruction` holds).
/// - `variance` = (1/(n−1)) Σ_k (|x⁽ᵏ⁾| − meanMagnitude)², the unbiased sample variance of the
///   magnitude across draws for n ≥ 2, and exactly 0 for n = 1 (no spread can be estimated).
/// - `standardDeviation` = √variance.
/// - `complexMean` = (1/n) Σ_k x⁽ᵏ⁾ (its magnitude is ≤ `meanMagnitude`).
/// Sums are accumulated in double precision.
public struct PosteriorStatistics: Sendable {
    /// Number of draws n.
    public let count: Int
    /// Mean over draws of |x|, [H, W].
    public let meanMagnitude: FloatArray
    /// Unbiased variance of |x| across draws (0 when n = 1), [H, W].
    public let variance: FloatArray
    /// √variance, [H, W].
    public let standardDeviation: FloatArray
    /// Mean over draws of the complex image, [H, W].
    public let complexMean: ComplexArray

    /// Statistics of `samples` (non-empty, equal shapes; a programmer error otherwise).
    public init(samples: [ComplexArray]) {
        precondition(!samples.isEmpty, "PosteriorStatistics: no samples")
        let shape = samples[0].shape, n = samples[0].count
        var sumMag = [Double](repeating: 0, count: n)
        var sumMag2 = [Double](repeating: 0, count: n)
        var sumRe = [Double](repeating: 0, count: n), sumIm = [Double](repeating: 0, count: n)
        for s in samples {
            precondition(s.shape == shape, "PosteriorStatistics: sample shape \(s.shape) ≠ \(shape)")
            s.storage.withUnsafeBufferPointer { p in
                for j in 0..<n {
                    let z = p[j]
                    sumRe[j] += Double(z.re)
                    sumIm[j] += Double(z.im)
                    sumMag[j] += (Double(z.re) * Double(z.re) + Double(z.im) * Double(z.im)).squareRoot()
                }
            }
        }
        let k = Double(samples.count)
        let meanMag = sumMag.map { $0 / k }
        if samples.count >= 2 {
            // Two-pass (centred) sum of squares for accuracy.
            for s in samples {
                s.storage.withUnsafeBufferPointer { p in
                    for j in 0..<n {
                        let d = (Double(p[j].re) * Double(p[j].re) + Double(p[j].im) * Double(p[j].im)).squareRoot()
                            - meanMag[j]
                        sumMag2[j] += d * d
                    }
                }
            }
        }
        let variance = samples.count >= 2 ? sumMag2.map { $0 / (k - 1) } : [Double](repeating: 0, count: n)
        count = samples.count
        meanMagnitude = FloatArray(shape: shape, storage: meanMag.map { Float($0) })
        self.variance = FloatArray(shape: shape, storage: variance.map { Float($0) })
        standardDeviation = FloatArray(shape: shape, storage: variance.map { Float($0.squareRoot()) })
        complexMean = ComplexArray(
            shape: shape, storage: (0..<n).map { ComplexFloat(Float(sumRe[$0] / k), Float(sumIm[$0] / k)) })
    }
}
