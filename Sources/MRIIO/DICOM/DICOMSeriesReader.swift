import Foundation
import MRICore

/// Reads one DICOM image series into a `DICOMVolume`, from a file, a folder (searched
/// recursively; files that are not Part 10 DICOM, and DICOM objects without pixel data, are
/// ignored) or a DICOMDIR (its IMAGE records' ReferencedFileID, relative to the DICOMDIR's folder).
///
/// Frames: one per single-frame file; NumberOfFrames per multi-frame file, each frame's
/// position, orientation, pixel spacing and rescale taken from its Per-Frame Functional Groups,
/// else the Shared Functional Groups, else the top-level attributes (a legacy multi-frame with
/// GridFrameOffsetVector gets position + offset · normal).
///
/// Sorting (PS3.3 C.7.6.2): when every frame has ImagePositionPatient and
/// ImageOrientationPatient, by the distance d = position · n along the normal
/// n = row × column direction (ties by InstanceNumber); otherwise by InstanceNumber, then path
/// and frame. Checks, each a one-line `MRIIOError` naming the file: several series without a
/// chosen `seriesInstanceUID` (the error lists them), Rows/Columns differing from the first
/// frame's, orientations differing by more than 10⁻³, two frames at one position, colour
/// images, and transfer syntaxes DCMTK cannot decode (`.unsupportedTransferSyntax`).
///
/// Transfer syntaxes decoded: implicit/explicit VR little endian, explicit big endian, deflated,
/// RLE Lossless, JPEG baseline/extended/lossless, JPEG-LS lossless/near-lossless (DCMTK 3.6.7).
public struct DICOMSeriesReader: Sendable {
    /// The series to read when the input holds several (nil: the input must hold exactly one).
    public var seriesInstanceUID: String?
    /// Apply the first Real World Value Mapping item (slope/intercept) instead of the Modality
    /// LUT when present (e.g. the MR images `DICOMWriter` writes carry their float scale there).
    public var realWorldValues: Bool
    /// Most pixel values (Rows × Columns × frames, per file and per series) read into memory;
    /// larger images are refused before anything is allocated.
    public var maximumValues: Int

    /// The default `maximumValues`: 2³⁰ values (4 GiB as Float), far above any MR series.
    public static let defaultMaximumValues = 1 << 30

    /// Creates a reader.
    public init(seriesInstanceUID: String? = nil, realWorldValues: Bool = false, maximumValues: Int = Self.defaultMaximumValues) {
        self.seriesInstanceUID = seriesInstanceUID
        self.realWorldValues = realWorldValues
        self.maximumValues = maximumValues
    }

    /// One series found in an input: what `series(in:)` lists and the several-series error names.
    public struct SeriesSummary: Sendable, Equatable, CustomStringConvertible {
        public var seriesInstanceUID: String
        public var seriesNumber: Int?
        public var seriesDescription: String?
        public var modality: String?
        /// Number of frames (images) in the series.
        public var frames: Int
        public var description: String {
            let number = seriesNumber.map { "#\($0) " } ?? ""
            return "\(seriesInstanceUID) (\(number)'\(seriesDescription ?? "")', \(modality ?? "?"), \(frames) images)"
        }
    }

    /// The image series in `url` (file, folder or DICOMDIR), ordered by SeriesNumber then UID.
    public static func series(in url: URL) throws -> [SeriesSummary] {
        try summaries(of: Self.scan(url))
    }

    /// Reads the series (the only one, or `seriesInstanceUID`) at `url` into a volume.
    /// - Throws: `MRIIOError.notFound`, `.dicom`, `.unsupportedTransferSyntax`, naming the file.
    public func read(_ url: URL) throws -> DICOMVolume {
        let frames = try Self.scan(url, maximumValues: maximumValues)
        let chosen: [Frame]
        let groups = Dictionary(grouping: frames, by: \.seriesUID)
        if let uid = seriesInstanceUID {
            guard let g = groups[uid] else {
                throw MRIIOError.dicom(file: url.path, reason: "no series \(uid); found: \(Self.summaries(of: frames).map(\.description).joined(separator: "; "))")
            }
            chosen = g
        } else if groups.count > 1 {
            throw MRIIOError.dicom(
                file: url.path,
                reason: "\(groups.count) series found, choose one by SeriesInstanceUID (--series): \(Self.summaries(of: frames).map(\.description).joined(separator: "; "))")
        } else {
            chosen = frames
        }
        return try assemble(chosen)
    }

    // MARK: - Scanning

    /// One image (frame) of one file, with what sorting and geometry need.
    struct Frame {
        var file: DICOMFile
        var frameIndex: Int
        var seriesUID: String
        var rows: Int, columns: Int
        var position: [Double]?
        var orientation: [Double]?
        var pixelSpacing: [Double]?
        var sliceThickness: Double?
        var instanceNumber: Int?
        var slope: Double, intercept: Double
        var realWorld: (slope: Double, intercept: Double)?
    }

    /// Frames of every image file in `url`.
    static func scan(_ url: URL, maximumValues: Int = defaultMaximumValues) throws -> [Frame] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw MRIIOError.notFound(file: url.path)
        }
        var frames = [Frame]()
        if isDirectory.boolValue {
            let keys: [URLResourceKey] = [.isRegularFileKey]
            guard let e = FileManager.default.enumerator(at: url, includingPropertiesForKeys: keys, options: [.skipsHiddenFiles]) else {
                throw MRIIOError.dicom(file: url.path, reason: "cannot list the folder")
            }
            var files = [URL]()
            for case let f as URL in e where (try? f.resourceValues(forKeys: Set(keys)))?.isRegularFile == true {
                files.append(f)
            }
            for f in files.sorted(by: { $0.path < $1.path }) {
                let file: DICOMFile
                do {
                    file = try DICOMFile(f, requireMetaHeader: true)
                } catch let error as MRIIOError {
                    if case .dicom(_, let reason) = error, reason.hasPrefix("not a DICOM file") { continue }
                    throw error
                }
                frames += try Self.frames(of: file, maximumValues: maximumValues)
            }
            if frames.isEmpty { throw MRIIOError.dicom(file: url.path, reason: "no DICOM images in the folder") }
            return frames
        }
        let file = try DICOMFile(url, requireMetaHeader: false)
        if file.itemCount("DirectoryRecordSequence") > 0 {
            return try dicomdirFrames(file, url: url, maximumValues: maximumValues)
        }
        frames = try Self.frames(of: file, maximumValues: maximumValues)
        if frames.isEmpty { throw MRIIOError.dicom(file: url.path, reason: "no pixel data (not an image)") }
        return frames
    }

    /// Frames of the IMAGE records of a DICOMDIR.
    static func dicomdirFrames(_ dir: DICOMFile, url: URL, maximumValues: Int) throws -> [Frame] {
        let base = url.deletingLastPathComponent()
        var frames = [Frame]()
        for i in 0..<dir.itemCount("DirectoryRecordSequence") {
            let item = "DirectoryRecordSequence[\(i)]"
            guard let components = dir.string(item + ".ReferencedFileID") else { continue }
            let type = dir.string(item + ".DirectoryRecordType") ?? ""
            guard type == "IMAGE" || type.isEmpty else { continue }
            var f = base
            for c in components.split(separator: "\\") { f.appendPathComponent(c.trimmingCharacters(in: .whitespaces)) }
            frames += try Self.frames(of: try DICOMFile(f, requireMetaHeader: false), maximumValues: maximumValues)
        }
        if frames.isEmpty { throw MRIIOError.dicom(file: url.path, reason: "the DICOMDIR references no images") }
        return frames
    }

    /// The frames of one file (none when it has no pixel data).
    /// - Throws: `MRIIOError.dicom` when Rows × Columns × NumberOfFrames exceeds `maximumValues`
    ///   or native pixel data is shorter than that many values (checked before allocating).
    static func frames(of file: DICOMFile, maximumValues: Int = defaultMaximumValues) throws -> [Frame] {
        let info = file.pixelInfo()
        guard info.hasPixels else { return [] }
        try checkSize(info, file: file, maximumValues: maximumValues)
        let seriesUID = file.string("SeriesInstanceUID") ?? "(no SeriesInstanceUID)"
        let perFrame = file.itemCount("PerFrameFunctionalGroupsSequence") > 0
        let shared = file.itemCount("SharedFunctionalGroupsSequence") > 0
        /// A functional-group attribute of frame k: per-frame, then shared, then top level.
        func group(_ k: Int, _ sequence: String, _ attribute: String) -> [Double]? {
            if perFrame, let v = file.doubles("PerFrameFunctionalGroupsSequence[\(k)].\(sequence)[0].\(attribute)") { return v }
            if shared, let v = file.doubles("SharedFunctionalGroupsSequence[0].\(sequence)[0].\(attribute)") { return v }
            return nil
        }
        let topPosition = file.doubles("ImagePositionPatient")
        let topOrientation = file.doubles("ImageOrientationPatient")
        let gridOffsets = info.frames > 1 ? file.doubles("GridFrameOffsetVector") : nil
        let topRealWorld: (Double, Double)? = {
            guard let s = file.double("RealWorldValueMappingSequence[0].RealWorldValueSlope") else { return nil }
            return (s, file.double("RealWorldValueMappingSequence[0].RealWorldValueIntercept") ?? 0)
        }()
        var frames = [Frame]()
        frames.reserveCapacity(info.frames)
        for k in 0..<info.frames {
            var position = group(k, "PlanePositionSequence", "ImagePositionPatient")
            let orientation = group(k, "PlaneOrientationSequence", "ImageOrientationPatient") ?? topOrientation
            if position == nil, let p = topPosition {
                if k == 0 {
                    position = p
                } else if let offsets = gridOffsets, offsets.count == info.frames, let o = orientation, o.count == 6 {
                    let n = Self.normal(o)
                    position = (0..<3).map { p[$0] + offsets[k] * n[$0] }
                }
            }
            let slope = group(k, "PixelValueTransformationSequence", "RescaleSlope")?.first ?? file.double("RescaleSlope") ?? 1
            let intercept = group(k, "PixelValueTransformationSequence", "RescaleIntercept")?.first ?? file.double("RescaleIntercept") ?? 0
            var realWorld = topRealWorld
            if let s = group(k, "RealWorldValueMappingSequence", "RealWorldValueSlope")?.first {
                realWorld = (s, group(k, "RealWorldValueMappingSequence", "RealWorldValueIntercept")?.first ?? 0)
            }
            frames.append(Frame(
                file: file, frameIndex: k, seriesUID: seriesUID, rows: info.rows, columns: info.columns,
                position: position?.count == 3 ? position : nil, orientation: orientation?.count == 6 ? orientation : nil,
                pixelSpacing: group(k, "PixelMeasuresSequence", "PixelSpacing") ?? file.doubles("PixelSpacing"),
                sliceThickness: group(k, "PixelMeasuresSequence", "SliceThickness")?.first ?? file.double("SliceThickness"),
                instanceNumber: file.int("InstanceNumber"), slope: slope, intercept: intercept, realWorld: realWorld))
        }
        return frames
    }

    /// Refuses an image whose declared size exceeds `maximumValues`, or whose native pixel data
    /// is shorter than the declared size, before any pixel buffer is allocated.
    static func checkSize(_ info: DICOMFile.PixelInfo, file: DICOMFile, maximumValues: Int) throws {
        let (plane, o1) = info.rows.multipliedReportingOverflow(by: info.columns)
        let (values, o2) = plane.multipliedReportingOverflow(by: info.frames)
        guard !o1, !o2, values <= maximumValues else {
            throw MRIIOError.dicom(
                file: file.path,
                reason: "Rows × Columns × NumberOfFrames = \(info.rows) × \(info.columns) × \(info.frames) exceeds the reader's limit of \(maximumValues) values")
        }
        guard !info.encapsulated, info.bytesPerValue > 0 else { return }
        let needed = values * info.bytesPerValue
        guard info.storedBytes >= needed else {
            throw MRIIOError.dicom(
                file: file.path,
                reason: "pixel data has \(info.storedBytes) bytes, \(info.rows) × \(info.columns) × \(info.frames) values of \(info.bytesPerValue) bytes need \(needed) (truncated or corrupt)")
        }
    }

    static func summaries(of frames: [Frame]) -> [SeriesSummary] {
        Dictionary(grouping: frames, by: \.seriesUID).map { uid, g in
            let f = g[0].file
            return SeriesSummary(seriesInstanceUID: uid, seriesNumber: f.int("SeriesNumber"),
                                 seriesDescription: f.string("SeriesDescription"), modality: f.string("Modality"), frames: g.count)
        }.sorted { ($0.seriesNumber ?? Int.max, $0.seriesInstanceUID) < ($1.seriesNumber ?? Int.max, $1.seriesInstanceUID) }
    }

    /// n = row × column direction.
    static func normal(_ o: [Double]) -> [Double] {
        [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]]
    }

    // MARK: - Assembling

    func assemble(_ unsorted: [Frame]) throws -> DICOMVolume {
        // The most common Rows × Columns is the series' size (ties: the first file's); any other names its file.
        var counts = [[Int]: Int]()
        for f in unsorted { counts[[f.rows, f.columns], default: 0] += 1 }
        let size = unsorted.map { [$0.rows, $0.columns] }.max { counts[$0]! < counts[$1]! }!
        let first = unsorted.first { [$0.rows, $0.columns] == size }!
        for f in unsorted where f.rows != first.rows || f.columns != first.columns {
            throw MRIIOError.dicom(file: f.file.path, reason: "image is \(f.rows)×\(f.columns), the series' images are \(first.rows)×\(first.columns) (e.g. \(first.file.path))")
        }
        let orientation = first.orientation
        if let o = orientation {
            for f in unsorted {
                guard let p = f.orientation, zip(p, o).allSatisfy({ abs($0 - $1) < 1e-3 }) else {
                    if f.orientation == nil { continue }
                    throw MRIIOError.dicom(file: f.file.path, reason: "ImageOrientationPatient \(f.orientation!) differs from the series' \(o) (mixed orientations)")
                }
            }
        }
        // Sort.
        let byPosition = orientation != nil && unsorted.allSatisfy { $0.position != nil && $0.orientation != nil }
        var frames: [Frame]
        var distances = [Double]()
        if byPosition, let o = orientation {
            let n = Self.normal(o)
            let keyed = unsorted.map { f -> (Double, Frame) in
                let p = f.position!
                return (p[0] * n[0] + p[1] * n[1] + p[2] * n[2], f)
            }.sorted { a, b in
                a.0 != b.0 ? a.0 < b.0 : (a.1.instanceNumber ?? 0, a.1.frameIndex) < (b.1.instanceNumber ?? 0, b.1.frameIndex)
            }
            frames = keyed.map(\.1)
            distances = keyed.map(\.0)
            // Positions closer than 1 µm along the normal are one slice position.
            for i in 1..<max(1, distances.count) where distances[i] - distances[i - 1] < 1e-3 {
                throw MRIIOError.dicom(
                    file: frames[i].file.path,
                    reason: "frame \(frames[i].frameIndex) lies at the same position as \(frames[i - 1].file.path) frame \(frames[i - 1].frameIndex) (several echoes, phases or time points in one series are not read)")
            }
        } else {
            frames = unsorted.sorted { a, b in
                (a.instanceNumber ?? Int.max, a.file.path, a.frameIndex) < (b.instanceNumber ?? Int.max, b.file.path, b.frameIndex)
            }
        }

        // Pixels: each file read once, frames copied into place with their rescale.
        let rows = first.rows, columns = first.columns
        let (plane, o1) = rows.multipliedReportingOverflow(by: columns)
        let (total, o2) = plane.multipliedReportingOverflow(by: frames.count)
        guard !o1, !o2, total <= maximumValues else {
            throw MRIIOError.dicom(
                file: first.file.path,
                reason: "the series has \(frames.count) images of \(rows) × \(columns), more than the reader's limit of \(maximumValues) values")
        }
        var volume = [Float](repeating: 0, count: frames.count * plane)
        var slotsByFile = [ObjectIdentifier: [(slot: Int, frame: Frame)]]()
        var fileOrder = [DICOMFile]()
        for (slot, f) in frames.enumerated() {
            let id = ObjectIdentifier(f.file)
            if slotsByFile[id] == nil { fileOrder.append(f.file) }
            slotsByFile[id, default: []].append((slot, f))
        }
        var transferSyntaxes = [String]()
        for file in fileOrder {
            let info = file.pixelInfo()
            if !transferSyntaxes.contains(info.transferSyntaxUID) { transferSyntaxes.append(info.transferSyntaxUID) }
            let slots = slotsByFile[ObjectIdentifier(file)]!
            if info.frames == 1 && slots.count == 1 {
                // Single-frame file: decode straight into its slice, then rescale in place.
                let (slot, f) = slots[0]
                guard f.frameIndex == 0 else { throw MRIIOError.dicom(file: file.path, reason: "frame \(f.frameIndex) missing from the pixel data") }
                try volume.withUnsafeMutableBufferPointer { out in
                    let slice = UnsafeMutableBufferPointer(rebasing: out[(slot * plane)..<((slot + 1) * plane)])
                    try file.readStoredPixels(info, into: slice)
                    rescale(slice, f)
                }
                continue
            }
            let stored = try file.readStoredPixels(info)
            try volume.withUnsafeMutableBufferPointer { out in
                try stored.withUnsafeBufferPointer { src in
                    for (slot, f) in slots {
                        guard (f.frameIndex + 1) * plane <= src.count else {
                            throw MRIIOError.dicom(file: file.path, reason: "frame \(f.frameIndex) missing from the pixel data")
                        }
                        let slice = UnsafeMutableBufferPointer(rebasing: out[(slot * plane)..<((slot + 1) * plane)])
                        _ = slice.update(from: src[(f.frameIndex * plane)..<((f.frameIndex + 1) * plane)])
                        rescale(slice, f)
                    }
                }
            }
        }

        // Geometry.
        let spacing = first.pixelSpacing.flatMap { $0.count == 2 && $0.allSatisfy { $0 > 0 } ? $0 : nil } ?? [1, 1]
        let thickness = first.sliceThickness.flatMap { $0 > 0 ? $0 : nil }
        var step = first.file.double("SpacingBetweenSlices").flatMap { $0 > 0 ? $0 : nil } ?? thickness ?? 1
        if byPosition && distances.count > 1 {
            step = (distances.last! - distances.first!) / Double(distances.count - 1)
        }
        let o = orientation ?? [1, 0, 0, 0, 1, 0]
        let geometry = DICOMGeometry(
            pixelSpacing: (spacing[0], spacing[1]), sliceThickness: thickness ?? step, spacingBetweenSlices: step,
            rowDirection: Array(o[0..<3]), columnDirection: Array(o[3..<6]), firstPosition: frames[0].position)

        var info = Self.seriesInfo(frames[0].file)
        info.transferSyntaxUIDs = transferSyntaxes
        info.sourceFiles = frames.map(\.file.path)
        info.frameIndices = frames.map(\.frameIndex)
        info.sopInstanceUIDs = frames.map { $0.file.string("SOPInstanceUID") }
        info.instanceNumbers = frames.map(\.instanceNumber)
        let positions = frames.allSatisfy { $0.position != nil } ? frames.map { $0.position! } : nil
        return DICOMVolume(
            pixels: FloatArray(shape: [frames.count, rows, columns], storage: volume), geometry: geometry,
            positions: positions, order: byPosition ? .position : .instanceNumber, info: info)
    }

    /// Applies the frame's Modality LUT (or Real World Value Mapping) in place: v ← a·v + b.
    private func rescale(_ v: UnsafeMutableBufferPointer<Float>, _ f: Frame) {
        var a = Float(f.slope), b = Float(f.intercept)
        if realWorldValues, let rw = f.realWorld { (a, b) = (Float(rw.slope), Float(rw.intercept)) }
        if a == 1 && b == 0 { return }
        for i in v.indices { v[i] = a * v[i] + b }
    }

    /// Series-level attributes of `file` (with functional-group fallbacks for enhanced MR).
    static func seriesInfo(_ f: DICOMFile) -> DICOMSeriesInfo {
        var i = DICOMSeriesInfo()
        let sharedMR = "SharedFunctionalGroupsSequence[0]."
        i.sopClassUID = f.string("SOPClassUID")
        i.studyInstanceUID = f.string("StudyInstanceUID")
        i.seriesInstanceUID = f.string("SeriesInstanceUID")
        i.frameOfReferenceUID = f.string("FrameOfReferenceUID")
        i.patientName = f.string("PatientName")
        i.patientID = f.string("PatientID")
        i.patientBirthDate = f.string("PatientBirthDate")
        i.patientSex = f.string("PatientSex")
        i.studyDate = f.string("StudyDate")
        i.studyTime = f.string("StudyTime")
        i.studyDescription = f.string("StudyDescription")
        i.studyID = f.string("StudyID")
        i.accessionNumber = f.string("AccessionNumber")
        i.referringPhysicianName = f.string("ReferringPhysicianName")
        i.seriesDescription = f.string("SeriesDescription")
        i.protocolName = f.string("ProtocolName")
        i.seriesNumber = f.int("SeriesNumber")
        i.modality = f.string("Modality")
        i.bodyPartExamined = f.string("BodyPartExamined")
        i.laterality = f.string("Laterality")
        i.patientPosition = f.string("PatientPosition")
        i.manufacturer = f.string("Manufacturer")
        i.modelName = f.string("ManufacturerModelName")
        i.institutionName = f.string("InstitutionName")
        i.magneticFieldStrength = f.double("MagneticFieldStrength")
        i.repetitionTime = f.double("RepetitionTime") ?? f.double(sharedMR + "MRTimingAndRelatedParametersSequence[0].RepetitionTime")
        i.echoTime = f.double("EchoTime") ?? f.double(sharedMR + "MREchoSequence[0].EffectiveEchoTime")
            ?? f.double("PerFrameFunctionalGroupsSequence[0].MREchoSequence[0].EffectiveEchoTime")
        i.inversionTime = f.double("InversionTime") ?? f.double(sharedMR + "MRModifierSequence[0].InversionTimes")
        i.flipAngle = f.double("FlipAngle") ?? f.double(sharedMR + "MRTimingAndRelatedParametersSequence[0].FlipAngle")
        i.scanningSequence = f.string("ScanningSequence")
        i.mrAcquisitionType = f.string("MRAcquisitionType")
        return i
    }
}
