import Foundation

/// Multi-level separable 2-D orthogonal discrete wavelet transform with periodic boundaries
/// (Mallat pyramid), on complex images `[H, W]` (real filters act on re and im alike).
///
/// Analysis per 1-D pass of an even-length signal x (length n):
///   a[k] = Σₘ h[m]·x[(2k + m) mod n],   d[k] = Σₘ g[m]·x[(2k + m) mod n],  g[m] = (−1)ᵐ·h[L−1−m],
/// with a stored in the first n/2 entries and d in the last n/2; synthesis is the transpose.
/// With an orthonormal filter (Daubechies-2 by default, the 4-tap filter BART's `W` regulariser
/// uses) each level is an orthogonal matrix, so `inverse(forward(x)) == x` and ‖Ψx‖ = ‖x‖.
/// Each level transforms rows then columns of the top-left low-pass block.
///
/// Sizes that are not a multiple of 2^levels are zero-padded at the bottom/right to
/// `paddedHeight × paddedWidth` before the transform and cropped after the inverse; then Ψ is
/// an isometry (ΨᴴΨ = I) but not onto. Levels: the largest count for which the coarsest block
/// is still at least `minimumSize` on both axes (BART's `minsize` 16), at least 1.
/// Reference: Daubechies, "Ten Lectures on Wavelets", SIAM 1992; Mallat, IEEE PAMI 1989.
public struct OrthogonalWavelet2D: Sendable {
    /// Concurrent ranges of the row and column passes.
    let lanes: Int
    /// Image height H and width W.
    public let height: Int, width: Int
    /// Number of decomposition levels.
    public let levels: Int
    /// Coefficient array extent (H and W rounded up to multiples of 2^levels).
    public let paddedHeight: Int, paddedWidth: Int
    /// Orthonormal low-pass analysis filter h.
    public let lowPass: [Float]
    /// High-pass filter g[m] = (−1)ᵐ h[L−1−m].
    public let highPass: [Float]

    /// Daubechies-2 (4-tap, two vanishing moments) filter, Σh = √2, Σh² = 1.
    public static let daubechies2: [Float] = {
        let s3 = 3.0.squareRoot(), n = 4 * 2.0.squareRoot()
        return [(1 + s3) / n, (3 + s3) / n, (3 - s3) / n, (1 - s3) / n].map { Float($0) }
    }()

    /// Haar filter (1/√2, 1/√2).
    public static let haar: [Float] = [Float(0.5.squareRoot()), Float(0.5.squareRoot())]

    /// A transform for `[height, width]` images. `levels` nil picks the automatic count.
    /// `compute.lanes` threads share the row and column passes.
    public init(height: Int, width: Int, levels: Int? = nil, minimumSize: Int = 16,
                filter: [Float] = OrthogonalWavelet2D.daubechies2, compute: ComputeSettings = .machine) {
        lanes = compute.lanes
        precondition(height >= 2 && width >= 2, "wavelet needs at least 2×2 pixels")
        precondition(filter.count >= 2 && filter.count % 2 == 0, "filter length must be even")
        self.height = height
        self.width = width
        var l = 0
        if let levels {
            l = max(1, levels)
        } else {
            var h = height, w = width
            while h >= 2 * minimumSize && w >= 2 * minimumSize {
                l += 1
                h = (h + 1) / 2
                w = (w + 1) / 2
            }
            l = max(1, l)
        }
        self.levels = l
        let block = 1 << l
        paddedHeight = (height + block - 1) / block * block
        paddedWidth = (width + block - 1) / block * block
        lowPass = filter
        let n = filter.count
        highPass = (0..<n).map { m in (m % 2 == 0 ? 1 : -1) * filter[n - 1 - m] }
    }

    /// Coefficient array shape `[paddedHeight, paddedWidth]`.
    public var coefficientShape: [Int] { [paddedHeight, paddedWidth] }

    /// Ψx: image `[H, W]` → coefficients `[paddedHeight, paddedWidth]`.
    public func forward(_ image: ComplexArray) -> ComplexArray {
        precondition(image.shape == [height, width], "wavelet forward: \(image.shape) ≠ \([height, width])")
        var c = ComplexArray(zeros: coefficientShape)
        image.storage.withUnsafeBufferPointer { src in
            c.withUnsafeMutableBufferPointer { dst in
                for i in 0..<height {
                    (dst.baseAddress! + i * paddedWidth).update(from: src.baseAddress! + i * width, count: width)
                }
            }
        }
        forwardInPlace(&c.storage)
        return c
    }

    /// Ψᴴc: coefficients → image `[H, W]` (the exact inverse when H, W need no padding).
    public func inverse(_ coefficients: ComplexArray) -> ComplexArray {
        precondition(coefficients.shape == coefficientShape, "wavelet inverse: \(coefficients.shape) ≠ \(coefficientShape)")
        var c = coefficients.storage
        inverseInPlace(&c)
        var out = ComplexArray(zeros: [height, width])
        c.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<height {
                    (dst.baseAddress! + i * width).update(from: src.baseAddress! + i * paddedWidth, count: width)
                }
            }
        }
        return out
    }

    /// In-place forward transform of a padded `[paddedHeight, paddedWidth]` buffer.
    public func forwardInPlace(_ data: inout [ComplexFloat]) {
        precondition(data.count == paddedHeight * paddedWidth)
        data.withUnsafeMutableBufferPointer { p in
            var h = paddedHeight, w = paddedWidth
            for _ in 0..<levels {
                pass(p.baseAddress!, rows: h, cols: w, alongRows: true, analysis: true)
                pass(p.baseAddress!, rows: h, cols: w, alongRows: false, analysis: true)
                h /= 2
                w /= 2
            }
        }
    }

    /// In-place inverse transform of a padded buffer.
    public func inverseInPlace(_ data: inout [ComplexFloat]) {
        precondition(data.count == paddedHeight * paddedWidth)
        data.withUnsafeMutableBufferPointer { p in
            for level in stride(from: levels - 1, through: 0, by: -1) {
                let h = paddedHeight >> level, w = paddedWidth >> level
                pass(p.baseAddress!, rows: h, cols: w, alongRows: false, analysis: false)
                pass(p.baseAddress!, rows: h, cols: w, alongRows: true, analysis: false)
            }
        }
    }

    /// One 1-D analysis or synthesis pass over every row (or column) of the top-left
    /// `rows × cols` block of a buffer with row stride `paddedWidth`.
    private func pass(_ base: UnsafeMutablePointer<ComplexFloat>, rows: Int, cols: Int, alongRows: Bool, analysis: Bool) {
        if !alongRows {
            columnPass(base, rows: rows, cols: cols, analysis: analysis)
            return
        }
        let lines = rows
        let n = cols
        let chunks = lines >= 64 ? min(lanes, lines) : 1
        let per = (lines + chunks - 1) / chunks
        let h = lowPass, g = highPass
        let rowStride = paddedWidth
        nonisolated(unsafe) let b = base
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let out = UnsafeMutablePointer<ComplexFloat>.allocate(capacity: n)
            defer { out.deallocate() }
            let lo = chunk * per, hi = min(lines, lo + per)
            for line in lo..<hi {
                let start = b + line * rowStride
                if analysis {
                    Self.analyze(start, out, n: n, h: h, g: g)
                } else {
                    Self.synthesize(start, out, n: n, h: h, g: g)
                }
                start.update(from: out, count: n)
            }
        }
    }

    /// The filter pass along columns, vectorised across columns: each output row is a linear
    /// combination of input rows (contiguous), so the inner loop runs over 2·cols floats.
    /// The `cols` columns are split into `lanes` ranges processed concurrently.
    private func columnPass(_ base: UnsafeMutablePointer<ComplexFloat>, rows n: Int, cols: Int, analysis: Bool) {
        let half = n / 2, taps = lowPass.count
        let h = lowPass, g = highPass
        let rowStride = paddedWidth
        let chunks = cols >= 32 ? min(lanes, cols) : 1
        let per = (cols + chunks - 1) / chunks
        nonisolated(unsafe) let b = base
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let c0 = chunk * per, c1 = min(cols, c0 + per)
            let width = c1 - c0
            if width <= 0 { return }
            let fw = 2 * width
            // Compact copy of the input block [n, width] as floats.
            let tmp = UnsafeMutablePointer<Float>.allocate(capacity: n * fw)
            defer { tmp.deallocate() }
            for r in 0..<n {
                UnsafeMutableRawPointer(tmp + r * fw).copyMemory(from: b + r * rowStride + c0, byteCount: fw * 4)
            }
            h.withUnsafeBufferPointer { hp in
                g.withUnsafeBufferPointer { gp in
                    if analysis {
                        for k in 0..<half {
                            let lo = UnsafeMutableRawPointer(b + k * rowStride + c0).assumingMemoryBound(to: Float.self)
                            let hi = UnsafeMutableRawPointer(b + (half + k) * rowStride + c0).assumingMemoryBound(to: Float.self)
                            for j in 0..<fw { lo[j] = 0; hi[j] = 0 }
                            var idx = 2 * k
                            for m in 0..<taps {
                                if idx >= n { idx -= n }
                                let src = tmp + idx * fw
                                let hm = hp[m], gm = gp[m]
                                for j in 0..<fw {
                                    lo[j] += hm * src[j]
                                    hi[j] += gm * src[j]
                                }
                                idx += 1
                            }
                        }
                    } else {
                        for r in 0..<n {
                            let dst = UnsafeMutableRawPointer(b + r * rowStride + c0).assumingMemoryBound(to: Float.self)
                            for j in 0..<fw { dst[j] = 0 }
                        }
                        for k in 0..<half {
                            let a = tmp + k * fw, d = tmp + (half + k) * fw
                            var idx = 2 * k
                            for m in 0..<taps {
                                if idx >= n { idx -= n }
                                let dst = UnsafeMutableRawPointer(b + idx * rowStride + c0).assumingMemoryBound(to: Float.self)
                                let hm = hp[m], gm = gp[m]
                                for j in 0..<fw { dst[j] += hm * a[j] + gm * d[j] }
                                idx += 1
                            }
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func analyze(_ x: UnsafeMutablePointer<ComplexFloat>, _ y: UnsafeMutablePointer<ComplexFloat>,
                                n: Int, h: [Float], g: [Float]) {
        let half = n / 2, taps = h.count
        h.withUnsafeBufferPointer { hp in
            g.withUnsafeBufferPointer { gp in
                for k in 0..<half {
                    var ar: Float = 0, ai: Float = 0, dr: Float = 0, di: Float = 0
                    var idx = 2 * k
                    for m in 0..<taps {
                        if idx >= n { idx -= n }
                        let v = x[idx]
                        ar += hp[m] * v.re; ai += hp[m] * v.im
                        dr += gp[m] * v.re; di += gp[m] * v.im
                        idx += 1
                    }
                    y[k] = ComplexFloat(ar, ai)
                    y[half + k] = ComplexFloat(dr, di)
                }
            }
        }
    }

    @inline(__always)
    private static func synthesize(_ c: UnsafeMutablePointer<ComplexFloat>, _ x: UnsafeMutablePointer<ComplexFloat>,
                                   n: Int, h: [Float], g: [Float]) {
        let half = n / 2, taps = h.count
        for i in 0..<n { x[i] = .zero }
        h.withUnsafeBufferPointer { hp in
            g.withUnsafeBufferPointer { gp in
                for k in 0..<half {
                    let a = c[k], d = c[half + k]
                    var idx = 2 * k
                    for m in 0..<taps {
                        if idx >= n { idx -= n }
                        x[idx].re += hp[m] * a.re + gp[m] * d.re
                        x[idx].im += hp[m] * a.im + gp[m] * d.im
                        idx += 1
                    }
                }
            }
        }
    }
}
