import CFFTW
import Foundation

/// Centred, orthonormal discrete Fourier transform over the trailing image axes, on FFTW.
///
/// Forward: `y = fftshift(fft(ifftshift(x), norm="ortho"))` over the selected axes, exactly
/// fastMRI's `fft2c` (and `bart fft -u`); inverse likewise with the inverse DFT (`ifft2c`).
/// Both are unitary: ‖F x‖ = ‖x‖ and F⁻¹ = Fᴴ. Leading axes are a batch (coils, slices),
/// transformed in one FFTW call. Plans are made once per (shape, axes, direction, threads,
/// planning rigour) and reused; `compute.fftThreads` threads run each transform
/// (`fftwf_plan_with_nthreads`) and `compute.lanes` the centring copies.
///
/// Reference: Frigo & Johnson, "The design and implementation of FFTW3", Proc. IEEE 2005.
public enum CenteredFFT {
    /// Which trailing axes of `[..., H, W]` to transform.
    public enum Axes: Sendable, Hashable {
        /// Both image axes (H, W): the 2-D transform.
        case image
        /// Only the readout axis H (second to last).
        case readout
        /// Only the phase-encode axis W (last).
        case phaseEncode
    }

    /// Forward centred orthonormal FFT (image → k-space) of `x` over `axes`.
    public static func forward(_ x: ComplexArray, axes: Axes = .image, compute: ComputeSettings = .machine) -> ComplexArray {
        var y = x
        transform(&y, axes: axes, inverse: false, compute: compute)
        return y
    }

    /// Inverse centred orthonormal FFT (k-space → image) of `x` over `axes`.
    public static func inverse(_ x: ComplexArray, axes: Axes = .image, compute: ComputeSettings = .machine) -> ComplexArray {
        var y = x
        transform(&y, axes: axes, inverse: true, compute: compute)
        return y
    }

    /// In-place transform of `x` (rank ≥ 2; rank 1 is treated as `[1, n]` for `.phaseEncode`).
    public static func transform(_ x: inout ComplexArray, axes: Axes, inverse: Bool, compute: ComputeSettings = .machine) {
        let shape = x.shape
        precondition(shape.count >= 1, "FFT needs rank ≥ 1")
        let h = shape.count >= 2 ? shape[shape.count - 2] : 1
        let w = shape[shape.count - 1]
        precondition(!(shape.count == 1 && axes != .phaseEncode), "rank-1 array: only .phaseEncode")
        let batch = h * w == 0 ? 0 : x.count / (h * w)
        if x.count == 0 { return }
        let plan = FFTPlanCache.shared.plan(batch: batch, height: h, width: w, axes: axes, inverse: inverse,
                                            compute: compute)
        plan.execute(&x.storage)
    }
}

/// One FFTW plan for a batch of `H × W` arrays, with its centring shifts and scale.
final class FFTPlan: @unchecked Sendable {
    let batch: Int, height: Int, width: Int
    let axes: CenteredFFT.Axes
    let inverse: Bool
    /// Concurrent ranges of the centring copies.
    let lanes: Int
    let plan: fftwf_plan
    let scale: Float

    init(batch: Int, height: Int, width: Int, axes: CenteredFFT.Axes, inverse: Bool, threads: Int, lanes: Int,
         rigor: UInt32) {
        self.lanes = lanes
        self.batch = batch
        self.height = height
        self.width = width
        self.axes = axes
        self.inverse = inverse
        let n = batch * height * width
        let buffer = fftwf_alloc_complex(n)!
        defer { fftwf_free(buffer) }
        let sign = inverse ? FFTW_BACKWARD : FFTW_FORWARD
        var dims: [fftwf_iodim]
        var howmany: [fftwf_iodim]
        let hw = Int32(height * width)
        switch axes {
        case .image:
            dims = [fftwf_iodim(n: Int32(height), is: Int32(width), os: Int32(width)),
                    fftwf_iodim(n: Int32(width), is: 1, os: 1)]
            howmany = [fftwf_iodim(n: Int32(batch), is: hw, os: hw)]
            scale = 1 / Float(height * width).squareRoot()
        case .readout:
            dims = [fftwf_iodim(n: Int32(height), is: Int32(width), os: Int32(width))]
            howmany = [fftwf_iodim(n: Int32(batch), is: hw, os: hw),
                       fftwf_iodim(n: Int32(width), is: 1, os: 1)]
            scale = 1 / Float(height).squareRoot()
        case .phaseEncode:
            dims = [fftwf_iodim(n: Int32(width), is: 1, os: 1)]
            howmany = [fftwf_iodim(n: Int32(batch * height), is: Int32(width), os: Int32(width))]
            scale = 1 / Float(width).squareRoot()
        }
        plan = FFTWPlanner.locked {
            fftwf_plan_with_nthreads(Int32(threads))
            return fftwf_plan_guru_dft(Int32(dims.count), &dims, Int32(howmany.count), &howmany,
                                       buffer, buffer, sign, rigor)!
        }
    }

    deinit {
        FFTWPlanner.locked { fftwf_destroy_plan(plan) }
        for b in pool { fftwf_free(b) }
    }

    /// Shift amount along an axis of length n: ifftshift before the DFT moves element
    /// (i + n/2) mod n to i; fftshift after moves (i + n − n/2) mod n to i.
    func execute(_ data: inout [ComplexFloat]) {
        let n = batch * height * width
        precondition(data.count == n)
        let buffer = takeBuffer()
        defer { returnBuffer(buffer) }
        let shiftH = axes == .phaseEncode ? 0 : height / 2
        let shiftW = axes == .readout ? 0 : width / 2
        let backH = axes == .phaseEncode ? 0 : height - height / 2
        let backW = axes == .readout ? 0 : width - width / 2
        let buf = UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: ComplexFloat.self)
        data.withUnsafeBufferPointer { src in
            Self.shiftCopy(from: src.baseAddress!, to: buf, batch: batch, height: height, width: width,
                           shiftH: shiftH, shiftW: shiftW, scale: 1, lanes: lanes)
        }
        fftwf_execute_dft(plan, buffer, buffer)
        data.withUnsafeMutableBufferPointer { dst in
            Self.shiftCopy(from: buf, to: dst.baseAddress!, batch: batch, height: height, width: width,
                           shiftH: backH, shiftW: backW, scale: scale, lanes: lanes)
        }
    }

    // A small pool of FFTW-aligned work buffers, so repeated transforms do not allocate.
    private let poolLock = NSLock()
    private var pool: [UnsafeMutablePointer<fftwf_complex>] = []

    private func takeBuffer() -> UnsafeMutablePointer<fftwf_complex> {
        poolLock.lock()
        defer { poolLock.unlock() }
        return pool.popLast() ?? fftwf_alloc_complex(batch * height * width)!
    }

    private func returnBuffer(_ b: UnsafeMutablePointer<fftwf_complex>) {
        poolLock.lock()
        defer { poolLock.unlock() }
        if pool.count < 4 { pool.append(b) } else { fftwf_free(b) }
    }

    /// dst[b, i, j] = scale · src[b, (i + sh) mod H, (j + sw) mod W], two block copies per row;
    /// rows are split over `lanes` threads for large arrays.
    static func shiftCopy(from src: UnsafePointer<ComplexFloat>, to dst: UnsafeMutablePointer<ComplexFloat>,
                          batch: Int, height: Int, width: Int, shiftH: Int, shiftW: Int, scale: Float, lanes: Int) {
        let first = width - shiftW
        let lines = batch * height
        let chunks = lines * width >= 1 << 16 ? max(1, min(lanes, lines)) : 1
        let per = (lines + chunks - 1) / chunks
        nonisolated(unsafe) let s0 = src, d0 = dst
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let lo = chunk * per, hi = min(lines, lo + per)
            if lo >= hi { return }
            for line in lo..<hi {
                let b = line / height, i = line - b * height
                let base = b * height * width
                let si = (i + shiftH) % height
                let s = s0 + base + si * width
                let d = d0 + base + i * width
                if scale == 1 {
                    d.update(from: s + shiftW, count: first)
                    (d + first).update(from: s, count: shiftW)
                } else {
                    let sf = UnsafeRawPointer(s).assumingMemoryBound(to: Float.self)
                    let df = UnsafeMutableRawPointer(d).assumingMemoryBound(to: Float.self)
                    let a = 2 * shiftW, f = 2 * first
                    for j in 0..<f { df[j] = sf[a + j] * scale }
                    for j in 0..<a { df[f + j] = sf[j] * scale }
                }
            }
        }
    }
}

/// Process-wide cache of FFTW plans. FFTW's planner is not thread-safe; every planner call
/// happens under this lock, while execution (`fftwf_execute_dft`) runs concurrently.
final class FFTPlanCache: @unchecked Sendable {
    static let shared = FFTPlanCache()
    private let lock = NSLock()
    private var plans: [Key: FFTPlan] = [:]
    private struct Key: Hashable {
        let batch: Int, height: Int, width: Int
        let axes: CenteredFFT.Axes
        let inverse: Bool
        let threads: Int, lanes: Int
        let planning: ComputeSettings.FFTPlanning
    }

    private init() {}

    func plan(batch: Int, height: Int, width: Int, axes: CenteredFFT.Axes, inverse: Bool,
              compute: ComputeSettings) -> FFTPlan {
        let key = Key(batch: batch, height: height, width: width, axes: axes, inverse: inverse,
                      threads: compute.fftThreads, lanes: compute.lanes, planning: compute.fftPlanning)
        lock.lock()
        defer { lock.unlock() }
        if let p = plans[key] { return p }
        let p = FFTPlan(batch: batch, height: height, width: width, axes: axes, inverse: inverse,
                        threads: compute.fftThreads, lanes: compute.lanes,
                        rigor: compute.fftPlanning == .measure ? FFTW_MEASURE : FFTW_ESTIMATE)
        plans[key] = p
        return p
    }
}
