import Foundation
import MRICore

/// Simulated receive-coil sensitivities of `coils` elements evenly spaced on a circle around
/// the field of view, as SigPy's `sigpy.mri.sim.birdcage_maps` (2-D case) defines them.
///
/// With normalised coordinates x = (j − W/2)/(W/2), y = (i − H/2)/(H/2) and coil c at
/// (r cos θ_c, r sin θ_c), θ_c = 2πc/coils:
///
///     S̃_c(i, j) = e^{i(atan2(x − r cos θ_c, −(y − r sin θ_c)) − θ_c)} / ρ_c,   ρ_c = |(x, y) − coil c|
///     S_c = S̃_c / √(Σ_c |S̃_c|²)       (so the root-sum-of-squares of the maps is 1 everywhere)
///
/// Used by `mri-daps simulate` to turn a magnitude DICOM series into multi-coil k-space.
public enum BirdcageCoils {
    /// Sensitivities `[coils, height, width]` (fastMRI axis order: coil, H, W); `radius` r is in
    /// units of the half field of view (SigPy's default 1.5 puts the coils outside it).
    public static func sensitivities(coils: Int, height h: Int, width w: Int, radius r: Double = 1.5) -> ComplexArray {
        precondition(coils > 0 && h > 0 && w > 0, "BirdcageCoils needs positive sizes")
        var maps = ComplexArray(zeros: [coils, h, w])
        let plane = h * w
        maps.withUnsafeMutableBufferPointer { out in
            for c in 0..<coils {
                let theta = Double(c) * 2 * Double.pi / Double(coils)
                let cx = r * cos(theta), cy = r * sin(theta)
                for i in 0..<h {
                    let y = (Double(i) - Double(h) / 2) / (Double(h) / 2) - cy
                    for j in 0..<w {
                        let x = (Double(j) - Double(w) / 2) / (Double(w) / 2) - cx
                        let rho = (x * x + y * y).squareRoot()
                        let phi = atan2(x, -y) - theta
                        out[c * plane + i * w + j] = ComplexFloat(Float(cos(phi) / rho), Float(sin(phi) / rho))
                    }
                }
            }
            for p in 0..<plane {
                var sum: Float = 0
                for c in 0..<coils { sum += out[c * plane + p].magnitudeSquared }
                let inv = sum > 0 ? 1 / sum.squareRoot() : 0
                for c in 0..<coils { out[c * plane + p] = out[c * plane + p] * inv }
            }
        }
        return maps
    }
}
