import Foundation
import MRICore

/// 2-D variable-density Poisson-disc mask over the `[H, W]` plane (SigPy `sigpy.mri.poisson`).
///
/// A calibration box of c_h × c_w = round(H·cf) × round(W·cf) is fully sampled; it starts at
/// row (H − c_h + 1)//2 and column (W − c_w + 1)//2, fastMRI's centre placement (SigPy uses
/// ⌊H/2 − c_h/2⌋, one lower for odd H and even c_h), so `centerRange` names its columns. Outside it,
/// Bridson's Poisson-disc process places points whose minimum distance grows with the
/// normalised radius r (distance outside the box, each axis scaled to 1 at the edge):
/// radius_x = max((1 + r·s)·W/max(H, W), 1), radius_y likewise with H. The slope s is found
/// by bisection on [0, max(H, W)] until |H·W/count − R| < 0.1 (SigPy's tolerance); with
/// `cropCorner` the corners r ≥ 1 are left empty. The process is re-seeded identically for
/// every bisection step, as SigPy does, so the count varies only through s. Unlike SigPy, a
/// candidate falling in an already sampled pixel is rejected, which bounds the process.
/// Throws `AcquisitionError.accelerationNotReached` when the best mask misses R by more than 10 %.
/// Reference: Bridson, "Fast Poisson disk sampling in arbitrary dimensions", SIGGRAPH 2007;
/// Lustig et al., "Sparse MRI", MRM 2007.
public struct PoissonDiscMask: MaskGenerator {
    /// Always `.poisson`.
    public var kind: MaskKind { .poisson }
    public let parameters: MaskParameters
    /// Zero the corners outside the unit normalised radius (SigPy `crop_corner`).
    public let cropCorner: Bool
    /// Candidate attempts per active point (SigPy `max_attempts`).
    public let maxAttempts: Int

    /// Throws `AcquisitionError.invalidParameter` when R < 1, cf ∉ (0, 1) or maxAttempts < 1.
    public init(acceleration: Double, centerFraction: Double, cropCorner: Bool = true, maxAttempts: Int = 30) throws {
        parameters = try MaskParameters(acceleration: acceleration, centerFraction: centerFraction)
        guard maxAttempts >= 1 else {
            throw AcquisitionError.invalidParameter(name: "maxAttempts", value: "\(maxAttempts)", reason: "must be at least 1")
        }
        self.cropCorner = cropCorner
        self.maxAttempts = maxAttempts
    }

    /// Calibration box (rows, columns) = (round(H·cf), round(W·cf)), Python rounding.
    public func calibrationSize(height: Int, width: Int) -> (height: Int, width: Int) {
        (MaskMath.numLowFrequencies(width: height, centerFraction: centerFraction),
         MaskMath.numLowFrequencies(width: width, centerFraction: centerFraction))
    }

    /// Draws an `[height, width]` mask; throws when H or W < 1 or R is not reached within 10 %.
    public func generate(height: Int, width: Int, using rng: inout some RandomNumberGenerator) throws -> SamplingMask {
        try MaskMath.validate(extent: height, name: "height")
        try MaskMath.validate(extent: width, name: "width")
        let (ch, cw) = calibrationSize(height: height, width: width)
        let r = Self.normalisedRadius(height: height, width: width, calibHeight: ch, calibWidth: cw)
        let seed = rng.next()
        let total = Double(height * width)
        var lo = 0.0, hi = Double(max(height, width))
        var best: [Bool] = []
        var bestError = Double.infinity
        var bestAccel = 0.0
        for _ in 0..<64 {
            let slope = (lo + hi) / 2
            var local = SeededRNG(seed: seed)
            var mask = poissonProcess(height: height, width: width, radius: r, slope: slope,
                                      calibHeight: ch, calibWidth: cw, rng: &local)
            if cropCorner { for i in 0..<mask.count where r[i] >= 1 { mask[i] = false } }
            let count = mask.reduce(0) { $0 + ($1 ? 1 : 0) }
            let achieved = count > 0 ? total / Double(count) : .infinity
            let error = abs(achieved - acceleration)
            if error < bestError { best = mask; bestError = error; bestAccel = achieved }
            if error < 0.1 { break }
            if achieved < acceleration { lo = slope } else { hi = slope }
            if hi - lo < 1e-9 { break }
        }
        guard bestError <= 0.1 * acceleration else {
            throw AcquisitionError.accelerationNotReached(kind: "poisson", requested: acceleration, achieved: bestAccel)
        }
        return SamplingMask(height: height, width: width, sampled: best, numLowFrequencies: cw, acceleration: acceleration)
    }

    /// r[i, j] = √(x² + y²), x = max(|j − W/2| − c_w/2, 0)/max(·), y likewise (SigPy).
    static func normalisedRadius(height: Int, width: Int, calibHeight: Int, calibWidth: Int) -> [Double] {
        func axis(_ n: Int, _ c: Int) -> [Double] {
            var v = (0..<n).map { max(abs(Double($0) - Double(n) / 2) - Double(c) / 2, 0) }
            let m = v.max() ?? 0
            if m > 0 { v = v.map { $0 / m } }
            return v
        }
        let x = axis(width, calibWidth), y = axis(height, calibHeight)
        var r = [Double](repeating: 0, count: height * width)
        for i in 0..<height { for j in 0..<width { r[i * width + j] = (x[j] * x[j] + y[i] * y[i]).squareRoot() } }
        return r
    }

    /// One run of SigPy's `_poisson`: calibration box first, then Bridson's active-list process
    /// with elliptical exclusion radii (radius_x, radius_y) varying over the plane.
    func poissonProcess(height ny: Int, width nx: Int, radius r: [Double], slope: Double,
                        calibHeight: Int, calibWidth: Int, rng: inout SeededRNG) -> [Bool] {
        let maxDim = Double(max(nx, ny))
        var radiusX = [Double](repeating: 0, count: nx * ny)
        var radiusY = [Double](repeating: 0, count: nx * ny)
        for i in 0..<(nx * ny) {
            let g = 1 + r[i] * slope
            radiusX[i] = max(g * Double(nx) / maxDim, 1)
            radiusY[i] = max(g * Double(ny) / maxDim, 1)
        }
        var mask = [Bool](repeating: false, count: nx * ny)
        // Set pixels as a list too: with large radii (steep slopes) scanning them is cheaper
        // than scanning the candidate's window; both visit the same pixels.
        var setX = [Int](), setY = [Int]()
        setX.reserveCapacity(nx * ny)
        setY.reserveCapacity(nx * ny)
        let y0 = MaskMath.centerStart(width: ny, numLow: calibHeight), x0 = MaskMath.centerStart(width: nx, numLow: calibWidth)
        for y in y0..<(y0 + calibHeight) {
            for x in x0..<(x0 + calibWidth) {
                mask[y * nx + x] = true
                setX.append(x)
                setY.append(y)
            }
        }
        let inverseX = radiusX.map { 1 / $0 }, inverseY = radiusY.map { 1 / $0 }

        // Every accepted point sets a new pixel, so at most H·W points are ever active.
        var pxs = [Int](repeating: 0, count: nx * ny + 1)
        var pys = [Int](repeating: 0, count: nx * ny + 1)
        pxs[0] = Int.random(in: 0..<nx, using: &rng)
        pys[0] = Int.random(in: 0..<ny, using: &rng)
        var actives = 1
        inverseX.withUnsafeBufferPointer { ixs in
            inverseY.withUnsafeBufferPointer { iys in
                mask.withUnsafeMutableBufferPointer { m in
                    /// True when no set pixel (x, y) in [sx, ex) × [sy, ey) is within its own elliptical radius of q.
                    func isFree(_ qx: Double, _ qy: Double, _ sx: Int, _ ex: Int, _ sy: Int, _ ey: Int) -> Bool {
                        @inline(__always) func close(_ x: Int, _ y: Int) -> Bool {
                            let dx = (qx - Double(x)) * ixs[y * nx + x]
                            let dy = (qy - Double(y)) * iys[y * nx + x]
                            return dx * dx + dy * dy < 1
                        }
                        if (ex - sx) * (ey - sy) <= setX.count {
                            for x in sx..<ex { for y in sy..<ey where m[y * nx + x] && close(x, y) { return false } }
                        } else {
                            for p in 0..<setX.count {
                                let x = setX[p], y = setY[p]
                                if x >= sx && x < ex && y >= sy && y < ey && close(x, y) { return false }
                            }
                        }
                        return true
                    }
                    while actives > 0 {
                        let i = Int.random(in: 0..<actives, using: &rng)
                        let px = pxs[i], py = pys[i]
                        let rx = radiusX[py * nx + px], ry = radiusY[py * nx + px]
                        var done = false
                        var k = 0
                        var qx = 0.0, qy = 0.0
                        while !done && k < maxAttempts {
                            let v = (rng.uniform() * 3 + 1).squareRoot()
                            let t = 2 * Double.pi * rng.uniform()
                            qx = Double(px) + v * rx * cos(t)
                            qy = Double(py) + v * ry * sin(t)
                            // A candidate in an already sampled pixel adds nothing; rejecting it (SigPy
                            // accepts it) bounds the accepted points by H·W, so the process always ends.
                            if qx >= 0 && qx < Double(nx) && qy >= 0 && qy < Double(ny) && !m[Int(qy) * nx + Int(qx)] {
                                let sx = max(Int(qx - rx), 0), ex = min(Int(qx + rx + 1), nx)
                                let sy = max(Int(qy - ry), 0), ey = min(Int(qy + ry + 1), ny)
                                done = isFree(qx, qy, sx, ex, sy, ey)
                            }
                            k += 1
                        }
                        if done {
                            let x = Int(qx), y = Int(qy)
                            pxs[actives] = x
                            pys[actives] = y
                            m[y * nx + x] = true
                            setX.append(x)
                            setY.append(y)
                            actives += 1
                        } else {
                            pxs[i] = pxs[actives - 1]
                            pys[i] = pys[actives - 1]
                            actives -= 1
                        }
                    }
                }
            }
        }
        return mask
    }
}
