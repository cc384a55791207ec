import Foundation
import MRIAcquisition
import MRICore
import MRIIO

extension ISMRMRDConversion {
    /// A 3-D Cartesian acquisition (partitions along `kspace_encode_step_2`) as a stack of 2-D
    /// problems, the way 3-D data undersampled on the ky–kz plane is reconstructed (BART `pics`
    /// on ky–kz, fastMRI's 2-D masks): the lines are placed on the (kx, ky, kz) grid (k1 at row
    /// k1 − centre₁ + ny/2, k2 at column k2 − centre₂ + nz/2, averages averaged), the readout is
    /// inverse-Fourier transformed (centred), cropped to the recon matrix (removing the readout
    /// oversampling), and every readout position x becomes one slice whose k-space is the
    /// (ky, kz) plane: H = ky, W = kz. The sampled (ky, kz) positions form the 2-D `plane` mask.
    /// The header is rewritten for those slices (encoded and recon matrix (ny, nz, 1) and
    /// (recon ny, recon nz, 1), field of view (y, z, x pixel size)); each slice's geometry is its
    /// readout position along `read_dir`, its rows along `phase_dir`, its columns along `slice_dir`.
    /// Multi-slab 3-D (a slice counter above 0) is refused.
    static func assemblePartitions(_ lines: [ISMRMRDFile.Acquisition], noise: [ISMRMRDFile.Acquisition], header: ISMRMRDHeader,
                                   channels: Int, options: Options, file path: String) throws -> Volume {
        let m = header.encodedSpace!.matrixSize!
        let (nx, ny, nz) = (m.x, m.y, max(m.z, 1))
        guard lines.allSatisfy({ $0.slice == 0 }) else {
            throw PipelineError.unusableInput(file: path, reason: "is a multi-slab 3-D acquisition; only one slab is supported")
        }
        // The grid and its transform (complex64 each).
        try checkHoldable(Saturating(nx) * ny * nz * channels * 16, options: options, file: path,
                          what: "\(nx) × \(ny) × \(nz) samples × \(channels) channels")
        var (k, count) = try partitionGrid(lines, channels: channels, nx: nx, ny: ny, nz: nz, header: header, file: path)
        var whitening: NoiseWhitening? = nil
        if options.prewhiten, !noise.isEmpty {
            whitening = try noiseWhitening(noise, channels: channels, dataDwell: lines[0].sampleTimeMicroseconds, header: header, file: path)
            k = try whitening!.apply(k)
        }
        // Readout → image space, cropped to the recon matrix; then one (ky, kz) slice per x.
        let hybrid = CenteredFFT.inverse(k, axes: .readout)
        let rx = min(nx, max(1, header.reconSpace?.matrixSize?.x ?? nx)), x0 = (nx - rx) / 2
        var slices = ComplexArray(zeros: [rx, channels, ny, nz])
        hybrid.storage.withUnsafeBufferPointer { h in
            slices.withUnsafeMutableBufferPointer { s in
                for x in 0..<rx {
                    for c in 0..<channels {
                        let from = (c * nx + x0 + x) * ny * nz, to = (x * channels + c) * ny * nz
                        for i in 0..<(ny * nz) { s[to + i] = h[from + i] }
                    }
                }
            }
        }
        let plane = count.map { $0 > 0 }
        let (sliceHeader, thickness) = partitionHeader(header, nx: nx, rx: rx, ny: ny, nz: nz)
        let geometry = partitionGeometry(lines[0], slices: rx, spacing: thickness)
        return Volume(kspace: slices, sampled: (0..<nz).map { z in (0..<ny).allSatisfy { plane[$0 * nz + z] } },
                      noiseAcquisitions: noise.count, header: sliceHeader, whitening: whitening, sliceGeometry: geometry,
                      plane: plane)
    }

    /// The lines on the `[channels, nx, ny · nz]` grid, repeated lines averaged; `count` per (ky, kz).
    static func partitionGrid(_ lines: [ISMRMRDFile.Acquisition], channels: Int, nx: Int, ny: Int, nz: Int,
                              header: ISMRMRDHeader, file path: String) throws -> (ComplexArray, [Int]) {
        let c1 = header.kspaceEncodingStep1?.center ?? ny / 2, c2 = header.kspaceEncodingStep2?.center ?? nz / 2
        var k = ComplexArray(zeros: [channels, nx, ny * nz])
        var count = [Int](repeating: 0, count: ny * nz)
        for a in lines {
            let row = a.k1 - c1 + ny / 2, column = a.k2 - c2 + nz / 2
            let n = a.samples - a.discardPre - a.discardPost, first = nx / 2 - (a.centerSample - a.discardPre)
            guard (0..<ny).contains(row), (0..<nz).contains(column), n > 0, first >= 0, first + n <= nx else {
                throw PipelineError.unusableInput(file: path, reason: "line k1 = \(a.k1), k2 = \(a.k2) (\(a.samples) samples) does not fit the encoded \(nx) × \(ny) × \(nz) matrix")
            }
            let position = row * nz + column
            count[position] += 1
            k.withUnsafeMutableBufferPointer { p in
                for c in 0..<channels {
                    for s in 0..<n {
                        let source = c * a.samples + a.discardPre + (a.flags.contains(.reverse) ? n - 1 - s : s)
                        p[(c * nx + first + s) * ny * nz + position] += a.data[source]
                    }
                }
            }
        }
        k.withUnsafeMutableBufferPointer { p in
            for position in 0..<(ny * nz) where count[position] > 1 {
                let f = 1 / Float(count[position])
                for row in 0..<(channels * nx) { p[row * ny * nz + position] = p[row * ny * nz + position] * f }
            }
        }
        return (k, count)
    }

    /// The header of the (ky, kz) slices and their spacing (the recon-space x pixel size, mm).
    static func partitionHeader(_ h: ISMRMRDHeader, nx: Int, rx: Int, ny: Int, nz: Int) -> (ISMRMRDHeader, Double) {
        var out = h
        let ef = h.encodedSpace?.fieldOfView, rf = h.reconSpace?.fieldOfView, rm = h.reconSpace?.matrixSize
        let dx = (rf?.x ?? ef?.x ?? Double(rx)) / Double(rx)
        out.encodedSpace?.matrixSize = ISMRMRDHeader.MatrixSize(x: ny, y: nz, z: 1)
        out.encodedSpace?.fieldOfView = ISMRMRDHeader.FieldOfView(x: ef?.y ?? Double(ny), y: ef?.z ?? Double(nz), z: dx)
        out.reconSpace?.matrixSize = ISMRMRDHeader.MatrixSize(x: min(rm?.y ?? ny, ny), y: min(rm?.z ?? nz, nz), z: 1)
        out.reconSpace?.fieldOfView = ISMRMRDHeader.FieldOfView(x: rf?.y ?? ef?.y ?? Double(ny), y: rf?.z ?? ef?.z ?? Double(nz), z: dx)
        out.kspaceEncodingStep1 = ISMRMRDHeader.Limit(minimum: 0, maximum: ny - 1, center: ny / 2)
        out.kspaceEncodingStep2 = nil
        return (out, dx)
    }

    /// Slice x at the slab centre + (x − slices/2)·spacing along `read_dir`; rows along
    /// `phase_dir`, columns along `slice_dir`. Nil when the acquisition states no geometry.
    static func partitionGeometry(_ a: ISMRMRDFile.Acquisition, slices: Int, spacing: Double) -> [SliceGeometry]? {
        let d = { (v: [Float]) in v.map(Double.init) }
        let centre = SliceGeometry(position: d(a.position), read: d(a.phaseDirection), phase: d(a.sliceDirection), slice: d(a.readDirection))
        guard centre.isUsable, centre.slice.reduce(0, { $0 + $1 * $1 }) > 0.25 else { return nil }
        return (0..<slices).map { x in
            let offset = Double(x - slices / 2) * spacing
            return SliceGeometry(position: (0..<3).map { centre.position[$0] + offset * centre.slice[$0] },
                                 read: centre.read, phase: centre.phase, slice: centre.slice)
        }
    }
}
