import Foundation
import MRIAcquisition
import MRICore
import MRIIO

/// ISMRMRD raw data → the fastMRI layout every other command reads (`mri-daps convert`).
///
/// Supported: Cartesian 2-D acquisitions (`encoding/trajectory` cartesian, no trajectory
/// samples, one partition), single- or multi-slice, any number of channels. The grid is the
/// header's encoded space: H = `encodedSpace.matrixSize.x` readout samples (with the readout
/// oversampling; recon removes it from the header's encoded vs recon matrix, as for fastMRI
/// knees) and W = `matrixSize.y` phase-encode lines. Sample s of an acquisition goes to readout
/// position H/2 − `center_sample` + s (after `discard_pre`/`discard_post`; `ACQ_IS_REVERSE`
/// lines are reversed), line k1 to column k1 − `kspace_encoding_step_1.center` + W/2 (fastMRI's
/// centre). Repeated lines (averages) are averaged; calibration lines
/// (`ACQ_IS_PARALLEL_CALIBRATION*`) are acquired k-space and kept. Lines never acquired —
/// undersampling, or partial Fourier — are zero and unset in the written `mask`, so every
/// method treats them as unsampled (partial Fourier is zero-filled, not homodyne-corrected).
/// Noise acquisitions (`ACQ_IS_NOISE_MEASUREMENT`) give the coil noise covariance, and the
/// k-space is prewhitened with it (`NoiseWhitening`, with the dwell-time ratio and the header's
/// `relativeReceiverNoiseBandwidth`) unless `Options.prewhiten` is false; the covariance is
/// recorded. Navigator, phase-correction, feedback, dummy and coil-correction acquisitions are
/// left out. One repetition, contrast, cardiac phase and set is
/// converted (`Options`). Non-Cartesian, 3-D and EPI data are refused with one line naming what
/// is unsupported.
public enum ISMRMRDConversion {
    public struct Options: Sendable {
        public var repetition = 0, contrast = 0, phase = 0, set = 0
        /// Whiten the coils with the file's noise acquisitions (when it has any).
        public var prewhiten = true
        /// TWIX: the measurement of a multi-raid file (nil: the last one).
        public var measurement: Int? = nil
        /// Largest k-space volume (bytes) to assemble (nil: the memory available now).
        public var maximumVolumeBytes: Int? = nil
        public init() {}
    }

    public struct Summary: Sendable {
        public var output: URL
        public var slices: Int, coils: Int, height: Int, width: Int
        /// Sampled phase-encode lines, or (ky, kz) positions of 3-D data (nil: fully sampled, no mask written).
        public var sampledLines: Int?
        /// The number of mask entries: W lines, or H × W positions of 3-D data.
        public var maskSize: Int
        public var noiseAcquisitions: Int
        public var prewhitened: Bool
    }

    /// The assembled k-space `[slices, coils, H, W]`, the sampled lines and what was skipped.
    public struct Volume: Sendable {
        public var kspace: ComplexArray
        public var sampled: [Bool]
        public var noiseAcquisitions: Int
        public var header: ISMRMRDHeader
        /// The whitening applied (nil: none).
        public var whitening: NoiseWhitening?
        /// Where each slice lies (nil when the acquisitions state no usable geometry).
        public var sliceGeometry: [SliceGeometry]?
        /// 3-D data: the sampled (H, W) = (ky, kz) positions, row-major (nil: a column mask, `sampled`).
        public var plane: [Bool]? = nil
    }

    /// Reads and assembles `input`.
    public static func read(_ input: URL, options: Options = Options()) throws -> Volume {
        guard ISMRMRDFile.isISMRMRD(input) else {
            guard FileManager.default.fileExists(atPath: input.path) else { throw MRIIOError.notFound(file: input.path) }
            guard let twix = try? TWIXFile(contentsOf: input) else {
                throw PipelineError.unusableInput(file: input.path, reason: "is neither ISMRMRD nor Siemens TWIX raw data")
            }
            let (acquisitions, header) = try TWIXConversion.acquisitions(twix, measurement: options.measurement)
            return try assemble(acquisitions, header: header, options: options, file: input.path)
        }
        let file = try ISMRMRDFile(contentsOf: input)
        defer { file.close() }
        let acquisitions = try (0..<file.acquisitionCount).map { try file.acquisition($0) }
        return try assemble(acquisitions, header: file.header, options: options, file: input.path)
    }

    /// Whether `url` is raw data `read` takes (ISMRMRD or Siemens TWIX).
    public static func isRawData(_ url: URL) -> Bool { ISMRMRDFile.isISMRMRD(url) || TWIXFile.isTWIX(url) }

    /// The side of the largest fully sampled square centred on (rows/2, columns/2) of a 2-D mask.
    static func centreBlockSide(_ plane: [Bool], rows: Int, columns: Int) -> Int {
        var side = 0
        while side < min(rows, columns) {
            let next = side + 1, r0 = rows / 2 - next / 2, c0 = columns / 2 - next / 2
            guard (r0..<(r0 + next)).allSatisfy({ r in (c0..<(c0 + next)).allSatisfy { plane[r * columns + $0] } }) else { break }
            side = next
        }
        return side
    }

    /// The `reconstruction_rss` shape: the recon matrix (x = readout rows, y = columns), within the k-space grid.
    static func rssShape(header: ISMRMRDHeader, height: Int, width: Int) -> (height: Int, width: Int) {
        let m = header.reconSpace?.matrixSize
        let h = m.map { $0.x > 0 ? min($0.x, height) : height } ?? height
        let w = m.map { $0.y > 0 ? min($0.y, width) : width } ?? width
        return (h, w)
    }

    /// Places `acquisitions` (ISMRMRD's, or another raw format's mapped onto them) on the grid
    /// of `header`'s encoded space (see the type's documentation); `file` names errors.
    static func assemble(_ acquisitions: [ISMRMRDFile.Acquisition], header: ISMRMRDHeader, options: Options,
                         file path: String) throws -> Volume {
        if let t = header.trajectory, t.lowercased() != "cartesian" {
            throw PipelineError.unusableInput(file: path, reason: "has a '\(t)' trajectory; only Cartesian data is supported")
        }
        guard let m = header.encodedSpace?.matrixSize, m.x > 0, m.y > 0 else {
            throw PipelineError.unusableInput(file: path, reason: "the header has no encoded matrix size")
        }
        let partitions = m.z > 1 || (header.kspaceEncodingStep2.map { $0.maximum > $0.minimum } ?? false)
        let (h, w) = (m.x, m.y)
        let center1 = header.kspaceEncodingStep1?.center ?? w / 2
        var lines: [(ISMRMRDFile.Acquisition)] = []
        var noiseScans: [ISMRMRDFile.Acquisition] = []
        var channels = 0, slices = 1
        for (i, a) in acquisitions.enumerated() {
            if a.flags.contains(.noiseMeasurement) { noiseScans.append(a); continue }
            if !a.flags.isDisjoint(with: .notImaging) { continue }
            guard a.trajectoryDimensions == 0 else {
                throw PipelineError.unusableInput(file: path, reason: "acquisition \(i) has trajectory samples; only Cartesian data is supported")
            }
            guard partitions || a.k2 == 0 else {
                throw PipelineError.unusableInput(file: path, reason: "acquisition \(i) has partition \(a.k2) but the header encodes one partition")
            }
            guard a.repetition == options.repetition, a.contrast == options.contrast, a.phase == options.phase,
                  a.set == options.set else { continue }
            if channels == 0 { channels = a.channels }
            guard channels <= ReconOptions.maxCoils else {
                throw PipelineError.unusableInput(file: path, reason: "acquisition \(i) has \(a.channels) channels (at most \(ReconOptions.maxCoils))")
            }
            guard a.channels == channels, channels > 0 else {
                throw PipelineError.unusableInput(file: path, reason: "acquisition \(i) has \(a.channels) channels, earlier ones \(channels)")
            }
            slices = max(slices, a.slice + 1)
            lines.append(a)
        }
        guard !lines.isEmpty else {
            throw PipelineError.unusableInput(file: path, reason: "has no image acquisitions for repetition \(options.repetition), contrast \(options.contrast), phase \(options.phase), set \(options.set)")
        }
        if partitions {
            return try assemblePartitions(lines, noise: noiseScans, header: header, channels: channels, options: options, file: path)
        }
        guard slices <= lines.count else {
            throw PipelineError.unusableInput(file: path, reason: "its slice counter reaches \(slices - 1) but it has only \(lines.count) image lines")
        }
        try checkHoldable(Saturating(slices) * channels * h * w * 8, options: options, file: path,
                          what: "\(slices) slices × \(channels) channels × \(h) × \(w) samples")
        var (k, count) = try grid(lines, slices: slices, channels: channels, height: h, width: w, center: center1, file: path)
        let sampled = (0..<w).map { col in (0..<slices).allSatisfy { count[$0 * w + col] > 0 } }
        let geometry: [SliceGeometry]?
        (k, geometry) = inSpaceOrder(k, sliceGeometry(lines, slices: slices))
        var whitening: NoiseWhitening? = nil
        if options.prewhiten, !noiseScans.isEmpty {
            whitening = try noiseWhitening(noiseScans, channels: channels, dataDwell: lines[0].sampleTimeMicroseconds,
                                           header: header, file: path)
            k = try whitening!.apply(k)
        }
        return Volume(kspace: k, sampled: sampled, noiseAcquisitions: noiseScans.count, header: header, whitening: whitening,
                      sliceGeometry: geometry)
    }

    /// The volume is held in memory: refuses `bytes` (a corrupt header or counters) beyond what
    /// can be, naming `what` the file declares.
    static func checkHoldable(_ bytes: Saturating, options: Options, file path: String, what: String) throws {
        let available = options.maximumVolumeBytes ?? SystemResources.availableMemory() ?? Int.max
        guard bytes.value < Int(Int32.max) * 8, bytes.value <= available else {
            throw PipelineError.unusableInput(
                file: path, reason: "declares \(what) (\(SystemResources.format(bytes.value))), more than can be held (\(SystemResources.format(min(available, Int(Int32.max) * 8))))")
        }
    }

    /// The volume and its geometry with the slices sorted along the slice direction (slice
    /// counters are acquisition order, often interleaved); unchanged without a geometry.
    static func inSpaceOrder(_ k: ComplexArray, _ geometry: [SliceGeometry]?) -> (ComplexArray, [SliceGeometry]?) {
        guard let g = geometry else { return (k, nil) }
        let order = g.indices.sorted { (g[$0].slicePosition, $0) < (g[$1].slicePosition, $1) }
        guard order != Array(g.indices) else { return (k, g) }
        return (ComplexArray(shape: k.shape, storage: order.flatMap { k.item($0).storage }), order.map { g[$0] })
    }

    /// The geometry of each slice counter, from its first line; nil unless every slice has a
    /// usable one (zero direction vectors mean "not stated") and no two slices share a position.
    static func sliceGeometry(_ lines: [ISMRMRDFile.Acquisition], slices: Int) -> [SliceGeometry]? {
        var found = [SliceGeometry?](repeating: nil, count: slices)
        for a in lines where found[a.slice] == nil {
            let d = { (v: [Float]) in v.map(Double.init) }
            found[a.slice] = SliceGeometry(position: d(a.position), read: d(a.readDirection), phase: d(a.phaseDirection),
                                           slice: d(a.sliceDirection))
        }
        let g = found.compactMap { $0 }
        guard g.count == slices, g.allSatisfy(\.isUsable) else { return nil }
        let positions = Set(g.map { ($0.slicePosition * 1000).rounded() })
        return positions.count == slices ? g : nil
    }

    /// The lines on the `[slices, channels, H, W]` grid, repeated lines averaged; `count` is
    /// the number of acquisitions per (slice, column).
    static func grid(_ lines: [ISMRMRDFile.Acquisition], slices: Int, channels: Int, height h: Int, width w: Int,
                     center center1: Int, file path: String) throws -> (ComplexArray, [Int]) {
        var k = ComplexArray(zeros: [slices, channels, h, w])
        var count = [Int](repeating: 0, count: slices * w)
        for a in lines {
            let column = a.k1 - center1 + w / 2
            let n = a.samples - a.discardPre - a.discardPost
            let first = h / 2 - (a.centerSample - a.discardPre)
            guard (0..<w).contains(column), n > 0, first >= 0, first + n <= h else {
                throw PipelineError.unusableInput(file: path, reason: "line k1 = \(a.k1) (\(a.samples) samples, centre \(a.centerSample)) does not fit the encoded \(h) × \(w) matrix")
            }
            count[a.slice * w + column] += 1
            k.withUnsafeMutableBufferPointer { p in
                for c in 0..<channels {
                    let base = ((a.slice * channels + c) * h + first) * w + column
                    for s in 0..<n {
                        let source = c * a.samples + a.discardPre + (a.flags.contains(.reverse) ? n - 1 - s : s)
                        p[base + s * w] += a.data[source]
                    }
                }
            }
        }
        k.withUnsafeMutableBufferPointer { p in
            for z in 0..<slices {
                for col in 0..<w where count[z * w + col] > 1 {
                    let f = 1 / Float(count[z * w + col])
                    for c in 0..<channels {
                        let plane = (z * channels + c) * h * w
                        for r in 0..<h {
                            let i = plane + r * w + col
                            p[i] = p[i] * f
                        }
                    }
                }
            }
        }
        return (k, count)
    }

    /// The coil whitening of the noise scans (all with the data's channel count).
    static func noiseWhitening(_ scans: [ISMRMRDFile.Acquisition], channels: Int, dataDwell: Float,
                               header: ISMRMRDHeader, file: String) throws -> NoiseWhitening {
        guard scans.allSatisfy({ $0.channels == channels }) else {
            throw PipelineError.unusableInput(file: file, reason: "its noise acquisitions do not have the data's \(channels) channels")
        }
        let perScan = scans.map { $0.samples }, total = perScan.reduce(0, +)
        var noise = ComplexArray(zeros: [channels, total])
        var offset = 0
        for a in scans {
            for c in 0..<channels { for s in 0..<a.samples { noise[c, offset + s] = a.data[c * a.samples + s] } }
            offset += a.samples
        }
        let noiseDwell = scans[0].sampleTimeMicroseconds
        do {
            return try NoiseWhitening(noise: noise, dataDwellTime: Double(dataDwell > 0 ? dataDwell : 1),
                                      noiseDwellTime: Double(noiseDwell > 0 ? noiseDwell : (dataDwell > 0 ? dataDwell : 1)),
                                      relativeNoiseBandwidth: header.acquisitionSystem.relativeReceiverNoiseBandwidth ?? 1)
        } catch {
            throw PipelineError.unusableInput(file: file, reason: "its noise acquisitions cannot whiten the coils: \(error)")
        }
    }

    /// Converts `input` into a fastMRI-layout file at `output`: k-space and the header; when
    /// lines are missing a `mask` with `acceleration` and `num_low_frequency` (the test layout),
    /// else the fully sampled target `reconstruction_rss` as fastMRI computes it (the train
    /// layout): the root-sum-of-squares of the coils' centred inverse FFT, centre-cropped to the
    /// header's recon matrix (which removes the readout oversampling).
    public static func convert(_ input: URL, to output: URL, options: Options = Options(), overwrite: Bool) throws -> Summary {
        try Simulation.checkDistinct(input: input, output: output)
        let v = try read(input, options: options)
        let s = v.kspace.shape
        let full = v.plane.map { $0.allSatisfy { $0 } } ?? v.sampled.allSatisfy { $0 }
        var attributes = FastMRIAttributes()
        attributes.acquisition = v.header.measurement.protocolName
        attributes.extra["converted_from"] = .string(input.lastPathComponent)
        attributes.extra["noise_acquisitions"] = .integer(Int64(v.noiseAcquisitions))
        attributes.extra["repetition"] = .integer(Int64(options.repetition))
        attributes.extra["prewhitened"] = .integer(v.whitening == nil ? 0 : 1)
        if let g = v.sliceGeometry { attributes.extra[SliceGeometry.attributeName] = .string(SliceGeometry.attribute(g)) }
        if let wh = v.whitening {
            attributes.extra["noise_samples"] = .integer(Int64(wh.samples))
            attributes.extra["noise_covariance"] = .string(
                "[" + wh.covariance.map { "[\($0.re),\($0.im)]" }.joined(separator: ",") + "]")
        }
        var mask: [Float]? = nil
        if let plane = v.plane, !plane.allSatisfy({ $0 }) {
            let sampled = plane.filter { $0 }.count
            attributes.acceleration = Double(plane.count) / Double(max(1, sampled))
            attributes.numLowFrequencies = centreBlockSide(plane, rows: s[2], columns: s[3])
            mask = plane.map { $0 ? 1 : 0 }
        } else if !full {
            let sampledLines = v.sampled.filter { $0 }.count
            attributes.acceleration = Double(s[3]) / Double(max(1, sampledLines))
            attributes.numLowFrequencies = SamplingMask.centerBlockWidth(v.sampled)
            mask = v.sampled.map { $0 ? 1 : 0 }
        }
        let targetShape = full ? rssShape(header: v.header, height: s[2], width: s[3]) : nil
        let writer = try FastMRIWriter(
            url: output, layout: full ? .train : .test, slices: s[0],
            sliceShape: SliceShape(coils: s[1], height: s[2], width: s[3]), targetShape: targetShape, mask: mask,
            attributes: attributes, header: v.header, overwrite: overwrite)
        for z in 0..<s[0] {
            let k = v.kspace.item(z)
            if let t = targetShape {
                let rss = try CenterCrop.crop(try RSS.combine(CenteredFFT.inverse(k)), height: t.height, width: t.width)
                try writer.writeSlice(z, kspace: k, targets: ["reconstruction_rss": rss])
            } else {
                try writer.writeSlice(z, kspace: k)
            }
        }
        try writer.finish()
        return Summary(output: writer.url, slices: s[0], coils: s[1], height: s[2], width: s[3],
                       sampledLines: full ? nil : (v.plane ?? v.sampled).filter { $0 }.count, maskSize: (v.plane ?? v.sampled).count,
                       noiseAcquisitions: v.noiseAcquisitions,
                       prewhitened: v.whitening != nil)
    }
}
