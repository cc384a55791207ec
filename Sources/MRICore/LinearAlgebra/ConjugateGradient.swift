/// Conjugate gradients for a Hermitian positive (semi-)definite system N x = b.
///
/// Hestenes & Stiefel 1952. `normal` is any callable (SigPy's `Alg` rule): an operator's
/// `normal`, or a regularised form such as x ↦ AᴴA x + λx. Stops after `maxIterations` or when
/// ‖r‖ ≤ tolerance·‖b‖. Returns the iterate and the number of iterations run.
public enum ConjugateGradient {
    public static func solve(
        normal: (ComplexArray) -> ComplexArray, rhs b: ComplexArray, initial x0: ComplexArray? = nil,
        maxIterations: Int, tolerance: Double = 1e-6
    ) -> (solution: ComplexArray, iterations: Int) {
        var x = x0 ?? ComplexArray(zeros: b.shape)
        var r = b
        if x0 != nil { r = b - normal(x) }
        var p = r
        var rr = r.normSquared
        let stop = tolerance * tolerance * b.normSquared
        if rr <= stop || rr == 0 { return (x, 0) }
        for it in 1...max(1, maxIterations) {
            let np = normal(p)
            let pap = p.dot(np).re
            if pap <= 0 || !pap.isFinite { return (x, it - 1) }
            let alpha = Float(rr / pap)
            x.add(p, scaledBy: ComplexFloat(alpha, 0))
            r.add(np, scaledBy: ComplexFloat(-alpha, 0))
            let rrNew = r.normSquared
            if rrNew <= stop { return (x, it) }
            let beta = Float(rrNew / rr)
            rr = rrNew
            // p ← r + β p
            p.scale(by: beta)
            p.add(r)
        }
        return (x, maxIterations)
    }
}
