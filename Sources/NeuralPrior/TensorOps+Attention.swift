import Foundation
import MRICore

extension TensorOps {
    /// Multi-head attention on one item: `qkv` = [3C, N] with channels [q | k | v], each split
    /// into `heads` heads of d = C/heads consecutive channels; for every head
    /// out[:, i] = Σ_j softmax_j(q[:, i]·k[:, j]/√d)·v[:, j]. `output` is [C, N];
    /// `scores` holds chunk·N floats (queries are processed `chunk` at a time).
    public static func multiHeadAttention(
        qkv: UnsafePointer<Float>, channels c: Int, heads: Int, tokens n: Int, output: UnsafeMutablePointer<Float>,
        scores: UnsafeMutablePointer<Float>, chunk: Int
    ) {
        let d = c / heads
        let alpha = 1 / Float(d).squareRoot()
        for hd in 0..<heads {
            let q = qkv + hd * d * n, k = qkv + (c + hd * d) * n, v = qkv + (2 * c + hd * d) * n
            var s = 0
            while s < n {
                let m = min(chunk, n - s)
                BLAS.matrixMultiply(transposeA: true, m: m, n: n, k: d, alpha: alpha, a: q + s, lda: n, b: k, ldb: n,
                                    c: scores, ldc: n)
                softmaxRows(scores, rows: m, count: n)
                BLAS.matrixMultiply(transposeB: true, m: d, n: m, k: n, a: v, lda: n, b: scores, ldb: n,
                                    c: output + hd * d * n + s, ldc: n)
                s += m
            }
        }
    }

    /// Row-wise softmax in place over `rows` rows of `count` values (max subtracted).
    public static func softmaxRows(_ a: UnsafeMutablePointer<Float>, rows: Int, count n: Int) {
        forEach(rows, work: rows * n) { r in
            let row = a + r * n
            var mx = -Float.infinity
            for i in 0..<n { mx = Swift.max(mx, row[i]) }
            var i = 0
            var acc = SIMD8<Float>()
            while i + 8 <= n {
                let e = exp8(UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<Float>.self) - mx)
                UnsafeMutableRawPointer(row + i).storeBytes(of: e, as: SIMD8<Float>.self)
                acc += e
                i += 8
            }
            var sum = acc.sum()
            while i < n { let e = Foundation.exp(row[i] - mx); row[i] = e; sum += e; i += 1 }
            let inv = 1 / sum
            for j in 0..<n { row[j] *= inv }
        }
    }
}
