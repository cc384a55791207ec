import Foundation

/// Writes one DICOM study: several series sharing a Study Instance UID and a Frame of Reference
/// UID, into a directory that appears whole or not at all.
///
/// Layout: `DIR/S<number>_<label>/IM<instance>.dcm` (e.g. `S001_MEAN/IM00001.dcm`). Files are
/// Part 10, Explicit VR Little Endian (1.2.840.10008.1.2.1), character set ISO_IR 192 (UTF-8).
/// Everything is written into a hidden temporary directory beside `DIR` and renamed onto it at
/// the end; on any error the temporary directory is deleted and `DIR` is untouched.
///
/// IODs (PS3.3): MR Image (A.4) with General Image, Image Plane, Image Pixel, MR Image, VOI LUT
/// and SOP Common modules, one instance per slice; Parametric Map (A.75), one multi-frame
/// instance with the Floating Point Image Pixel module and shared/per-frame functional groups.
/// Attribute sources are listed in docs/dicom-conformance.md.
public struct DICOMWriter: Sendable {
    /// MR Image Storage.
    public static let mrImageStorage = "1.2.840.10008.5.1.4.1.1.4"
    /// Parametric Map Storage.
    public static let parametricMapStorage = "1.2.840.10008.5.1.4.1.1.30"

    /// Source of every new UID.
    public var uids: DICOMUIDGenerator
    /// ContentDate/ContentTime (and SeriesDate/Time, and StudyDate/Time when the study has none).
    public var contentDate: Date

    /// Creates a writer.
    public init(uids: DICOMUIDGenerator, contentDate: Date = Date()) {
        self.uids = uids
        self.contentDate = contentDate
    }

    /// Attributes of Table E.1-1 with a combined action (X/D, Z/D, X/Z/D) that the written IODs
    /// require with a value (type 1): ContentDate/ContentTime (Parametric Map) and
    /// DeviceSerialNumber (Enhanced General Equipment). They get dummies when anonymising.
    public static let valueRequiredAttributes: Set<String> = ["ContentDate", "ContentTime", "DeviceSerialNumber"]

    /// The confidentiality profile applied to every attribute of a study whose identity is
    /// removed (nil otherwise): PS3.15 Basic Profile, with `study`'s non-empty PatientName and
    /// PatientID as pseudonyms (an anonymised `DICOMStudyInfo` keeps only explicit ones).
    public static func profile(for study: DICOMStudyInfo) -> DICOMConfidentialityProfile? {
        guard study.identityRemoved else { return nil }
        let pseudonyms = ["PatientName": study.patientName, "PatientID": study.patientID].filter { !$0.value.isEmpty }
        return .basic(valueRequired: valueRequiredAttributes, pseudonyms: pseudonyms)
    }

    /// What was written.
    public struct Result: Sendable {
        /// One written series.
        public struct Series: Sendable {
            public var number: Int
            public var seriesInstanceUID: String
            public var sopClassUID: String
            /// Final paths, in instance order.
            public var files: [URL]
        }
        public var directory: URL
        public var studyInstanceUID: String
        public var frameOfReferenceUID: String
        public var series: [Series]
    }

    /// Writes `series` as one study into `directory`.
    ///
    /// - Parameters:
    ///   - studyInstanceUID, frameOfReferenceUID: kept when given (e.g. from a source study), else
    ///     new; refused when `study.identityRemoved` (an anonymised study gets new UIDs only).
    ///   - overwrite: replace a non-empty `directory` as a whole, only when it is a study folder
    ///     mri-daps wrote (`OutputOwnership`).
    ///   - protected: paths `directory` may not be or contain (e.g. the reconstruction folder).
    /// - Throws: `MRIIOError.exists`, `.writeFailed`, `.wrongShape`, `.invalidValue`, `.dicom`;
    ///   nothing is left behind on error.
    public func write(
        study: DICOMStudyInfo, geometry: DICOMGeometry, series: [DICOMSeries], to directory: URL,
        studyInstanceUID: String? = nil, frameOfReferenceUID: String? = nil, overwrite: Bool = false,
        protecting protected: [URL] = []
    ) throws -> Result {
        let numbers = series.map(\.number)
        guard Set(numbers).count == numbers.count else {
            throw MRIIOError.invalidValue(name: "series", reason: "series numbers \(numbers) are not distinct")
        }
        if study.identityRemoved, studyInstanceUID != nil || frameOfReferenceUID != nil {
            throw MRIIOError.invalidValue(name: "study", reason: "an anonymised study cannot keep the source's Study or Frame of Reference UID")
        }
        let output = try AtomicDirectoryOutput(directory, overwrite: overwrite, protecting: protected)
        do {
            let context = Context(
                study: study, geometry: geometry,
                studyUID: studyInstanceUID ?? uids.make(), frameUID: frameOfReferenceUID ?? uids.make(),
                date: DICOMFormat.dateTime(contentDate), uids: uids)
            var written = [Result.Series]()
            for s in series {
                let folderName = String(format: "S%03d_", s.number) + s.label.filter { $0.isLetter || $0.isNumber }
                let folder = output.temporary.appendingPathComponent(folderName)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
                let r = try context.write(s, into: folder, finalFolder: output.destination.appendingPathComponent(folderName))
                written.append(r)
            }
            try output.commit()
            return Result(directory: output.destination, studyInstanceUID: context.studyUID,
                          frameOfReferenceUID: context.frameUID, series: written)
        } catch let e as MRIIOError {
            output.discard()
            throw Self.renamed(e, from: output.temporary.path, to: output.destination.path)
        } catch {
            output.discard()
            throw MRIIOError.writeFailed(file: output.destination.path, reason: error.localizedDescription.replacingOccurrences(of: "\n", with: " "))
        }
    }

    /// Throws what `write` would throw about `directory` itself (protected path, a non-empty
    /// folder without `overwrite`, a folder holding files mri-daps did not write, no writable
    /// ancestor to create it in), so that a run can refuse it before any work. Missing parents
    /// are allowed: the caller creates them (`TemporaryOutputs.createFolders`) before `write`.
    public static func checkDestination(_ directory: URL, overwrite: Bool, protecting protected: [URL] = []) throws {
        let dest = directory.standardizedFileURL
        try OutputFolder.checkCreatable(dest.deletingLastPathComponent(), for: dest)
        try AtomicDirectoryOutput.checkReplaceable(dest, overwrite: overwrite, protecting: protected)
    }

    /// Errors name the final directory, not the hidden temporary one.
    static func renamed(_ e: MRIIOError, from tmp: String, to dest: String) -> MRIIOError {
        switch e {
        case .dicom(let f, let r): return .dicom(file: f.replacingOccurrences(of: tmp, with: dest), reason: r.replacingOccurrences(of: tmp, with: dest))
        case .writeFailed(let f, let r): return .writeFailed(file: f.replacingOccurrences(of: tmp, with: dest), reason: r.replacingOccurrences(of: tmp, with: dest))
        case .wrongShape(let f, let d, let x, let a): return .wrongShape(file: f.replacingOccurrences(of: tmp, with: dest), dataset: d, expected: x, actual: a)
        default: return e
        }
    }
}

/// Per-study state shared by the series writers.
private struct Context {
    let study: DICOMStudyInfo
    let geometry: DICOMGeometry
    let studyUID: String
    let frameUID: String
    let date: (date: String, time: String)
    let uids: DICOMUIDGenerator
    var profile: DICOMConfidentialityProfile? { DICOMWriter.profile(for: study) }

    func write(_ s: DICOMSeries, into folder: URL, finalFolder: URL) throws -> DICOMWriter.Result.Series {
        let n = s.slices * s.rows * s.columns
        guard s.slices > 0, s.rows > 0, s.columns > 0 else {
            throw MRIIOError.wrongShape(file: folder.path, dataset: s.description, expected: "positive (slices, rows, columns)", actual: [s.slices, s.rows, s.columns])
        }
        let seriesUID = uids.make()
        switch s.content {
        case .mrImage(let stored, let bits, let slope, let intercept, let window):
            guard stored.count == n else {
                throw MRIIOError.wrongShape(file: folder.path, dataset: s.description, expected: "\(n) stored values for \([s.slices, s.rows, s.columns])", actual: [stored.count])
            }
            guard (1...16).contains(bits), slope.isFinite, slope > 0, intercept.isFinite, window.width > 0, window.center.isFinite else {
                throw MRIIOError.invalidValue(name: "series \(s.number)", reason: "bitsStored \(bits), slope \(slope), intercept \(intercept), window width \(window.width) out of range")
            }
            var files = [URL]()
            let plane = s.rows * s.columns
            for k in 0..<s.slices {
                let name = String(format: "IM%05d.dcm", k + 1)
                let url = folder.appendingPathComponent(name)
                let d = try DICOMDataset(file: finalFolder.appendingPathComponent(name).path, profile: profile)
                try common(d, s, seriesUID: seriesUID, sopClass: DICOMWriter.mrImageStorage, instance: k + 1)
                try d.set("ImageType", "DERIVED\\SECONDARY\\" + s.imageFlavor)
                try mrImage(d, s, slice: k, bits: bits)
                try d.set("WindowCenter", decimals: [window.center])
                try d.set("WindowWidth", decimals: [window.width])
                if let f = window.function { try d.set("VOILUTFunction", f) }
                try d.set("WindowCenterWidthExplanation", "robust percentiles")
                let maxStored = (1 << bits) - 1
                try mapping(d, "RealWorldValueMappingSequence[0]", s, slope: slope, intercept: intercept,
                            first: .integer(0), last: .integer(maxStored))
                try d.setPixels(Array(stored[(k * plane)..<((k + 1) * plane)]))
                try d.save(to: url)
                files.append(finalFolder.appendingPathComponent(name))
            }
            return .init(number: s.number, seriesInstanceUID: seriesUID, sopClassUID: DICOMWriter.mrImageStorage, files: files)

        case .parametricMap(let values, let window):
            guard values.count == n else {
                throw MRIIOError.wrongShape(file: folder.path, dataset: s.description, expected: "\(n) values for \([s.slices, s.rows, s.columns])", actual: [values.count])
            }
            guard window.width > 0, window.center.isFinite, values.allSatisfy({ $0.isFinite }) else {
                throw MRIIOError.invalidValue(name: "series \(s.number)", reason: "non-finite values or window width \(window.width) ≤ 0")
            }
            let name = "IM00001.dcm"
            let d = try DICOMDataset(file: finalFolder.appendingPathComponent(name).path, profile: profile)
            try common(d, s, seriesUID: seriesUID, sopClass: DICOMWriter.parametricMapStorage, instance: 1)
            try parametricMap(d, s, values: values, window: window)
            try d.save(to: folder.appendingPathComponent(name))
            return .init(number: s.number, seriesInstanceUID: seriesUID, sopClassUID: DICOMWriter.parametricMapStorage,
                         files: [finalFolder.appendingPathComponent(name)])
        }
    }

    /// Patient, General Study, General Series, Frame of Reference, equipment, SOP Common and the
    /// General Image attributes both IODs share.
    func common(_ d: DICOMDataset, _ s: DICOMSeries, seriesUID: String, sopClass: String, instance: Int) throws {
        try d.set("SpecificCharacterSet", "ISO_IR 192")
        try d.set("SOPClassUID", sopClass)
        try d.set("SOPInstanceUID", uids.make())
        // Patient
        try d.set("PatientName", DICOMFormat.text(study.patientName, maxLength: 64))
        try d.set("PatientID", DICOMFormat.text(study.patientID, maxLength: 64))
        try d.set("PatientBirthDate", study.patientBirthDate)
        try d.set("PatientSex", study.patientSex)
        if study.identityRemoved {
            try d.set("PatientIdentityRemoved", "YES")
            try d.set("DeidentificationMethod", DICOMFormat.text(study.deidentificationMethod, maxLength: 64))
            try d.set("DeidentificationMethodCodeSequence[0]", code: .basicConfidentialityProfile)
        }
        // General Study
        try d.set("StudyInstanceUID", studyUID)
        try d.set("StudyDate", study.studyDate.isEmpty ? date.date : study.studyDate)
        try d.set("StudyTime", study.studyTime.isEmpty ? date.time : study.studyTime)
        try d.set("ReferringPhysicianName", DICOMFormat.text(study.referringPhysicianName, maxLength: 64))
        try d.set("StudyID", DICOMFormat.text(study.studyID, maxLength: 16))
        try d.set("AccessionNumber", DICOMFormat.text(study.accessionNumber, maxLength: 16))
        if !study.studyDescription.isEmpty { try d.set("StudyDescription", DICOMFormat.text(study.studyDescription, maxLength: 64)) }
        // General Series
        try d.set("Modality", "MR")
        try d.set("SeriesInstanceUID", seriesUID)
        try d.set("SeriesNumber", s.number)
        try d.set("SeriesDescription", DICOMFormat.text(s.description, maxLength: 64))
        try d.set("SeriesDate", date.date)
        try d.set("SeriesTime", date.time)
        if !study.bodyPartExamined.isEmpty { try d.set("BodyPartExamined", DICOMFormat.text(study.bodyPartExamined, maxLength: 16)) }
        // Frame of Reference
        try d.set("FrameOfReferenceUID", frameUID)
        try d.setEmpty("PositionReferenceIndicator")
        // (Enhanced) General Equipment
        try d.set("Manufacturer", DICOMFormat.text(study.manufacturer, maxLength: 64))
        try d.set("ManufacturerModelName", DICOMFormat.text(study.modelName, maxLength: 64))
        try d.set("DeviceSerialNumber", DICOMFormat.text(study.deviceSerialNumber, maxLength: 64))
        try d.set("SoftwareVersions", DICOMFormat.text(study.softwareVersions, maxLength: 64))
        if !study.institutionName.isEmpty { try d.set("InstitutionName", DICOMFormat.text(study.institutionName, maxLength: 64)) }
        // General Image / Parametric Map Image
        try d.set("InstanceNumber", instance)
        try d.set("ContentDate", date.date)
        try d.set("ContentTime", date.time)
        try d.set("DerivationDescription", DICOMFormat.text(s.derivationDescription, maxLength: 1024))
        try d.set("BurnedInAnnotation", "NO")
        try d.set("LossyImageCompression", "00")
    }

    /// Image Plane, Image Pixel and MR Image modules of slice `k`.
    func mrImage(_ d: DICOMDataset, _ s: DICOMSeries, slice k: Int, bits: Int) throws {
        let g = geometry
        try d.set("PatientPosition", study.patientPosition)
        if let l = study.laterality { try d.set("Laterality", l) }
        try d.set("ImagePositionPatient", decimals: g.position(slice: k, rows: s.rows, columns: s.columns, slices: s.slices))
        try d.set("ImageOrientationPatient", decimals: g.rowDirection + g.columnDirection)
        try d.set("PixelSpacing", decimals: [g.pixelSpacing.row, g.pixelSpacing.column])
        try d.set("SliceThickness", decimals: [g.sliceThickness])
        try d.set("SpacingBetweenSlices", decimals: [g.spacingBetweenSlices])
        try d.set("SliceLocation", decimals: [g.sliceLocation(slice: k, rows: s.rows, columns: s.columns, slices: s.slices)])
        try d.set("SamplesPerPixel", 1)
        try d.set("PhotometricInterpretation", "MONOCHROME2")
        try d.set("Rows", s.rows)
        try d.set("Columns", s.columns)
        try d.set("BitsAllocated", 16)
        try d.set("BitsStored", bits)
        try d.set("HighBit", bits - 1)
        try d.set("PixelRepresentation", 0)
        try d.set("ScanningSequence", study.scanningSequence)
        try d.set("SequenceVariant", "NONE")
        try d.setEmpty("ScanOptions")
        try d.set("MRAcquisitionType", "2D")
        try optional(d, "RepetitionTime", study.repetitionTime)
        try optional(d, "EchoTime", study.echoTime)
        if study.scanningSequence.contains("IR") { try optional(d, "InversionTime", study.inversionTime) }
        try d.setEmpty("EchoTrainLength")
        if let b = study.magneticFieldStrength { try d.set("MagneticFieldStrength", decimals: [b]) }
        if let f = study.flipAngle { try d.set("FlipAngle", decimals: [f]) }
    }

    /// A type-2 decimal: the value when known, else empty.
    func optional(_ d: DICOMDataset, _ path: String, _ v: Double?) throws {
        if let v { try d.set(path, decimals: [v]) } else { try d.setEmpty(path) }
    }

    enum Mapped { case integer(Int), double(Double) }

    /// One Real World Value Mapping item (PS3.3 C.7.6.16.2.11.1): value = slope · stored + intercept
    /// over `first … last`, with units and the quantity.
    func mapping(_ d: DICOMDataset, _ item: String, _ s: DICOMSeries, slope: Double, intercept: Double, first: Mapped, last: Mapped) throws {
        switch (first, last) {
        case (.integer(let a), .integer(let b)):
            try d.set(item + ".RealWorldValueFirstValueMapped", a)
            try d.set(item + ".RealWorldValueLastValueMapped", b)
        case (.double(let a), .double(let b)):
            try d.set(item + ".DoubleFloatRealWorldValueFirstValueMapped", double: a)
            try d.set(item + ".DoubleFloatRealWorldValueLastValueMapped", double: b)
        default: preconditionFailure("mixed mapping range")
        }
        try d.set(item + ".RealWorldValueIntercept", double: intercept)
        try d.set(item + ".RealWorldValueSlope", double: slope)
        try d.set(item + ".LUTExplanation", DICOMFormat.text(s.description, maxLength: 64))
        try d.set(item + ".LUTLabel", DICOMFormat.text(s.label, maxLength: 16))
        try d.set(item + ".MeasurementUnitsCodeSequence[0]", code: s.units)
        try d.set(item + ".QuantityDefinitionSequence[0].ValueType", "CODE")
        try d.set(item + ".QuantityDefinitionSequence[0].ConceptNameCodeSequence[0]", code: .quantity)
        try d.set(item + ".QuantityDefinitionSequence[0].ConceptCodeSequence[0]", code: s.quantity)
    }

    /// Parametric Map Image, Floating Point Image Pixel, Multi-frame Functional Groups,
    /// Multi-frame Dimension and Acquisition Context modules.
    func parametricMap(_ d: DICOMDataset, _ s: DICOMSeries, values: [Float], window: DICOMWindow) throws {
        let g = geometry
        let imageType = "DERIVED\\PRIMARY\\VOLUME\\" + s.imageFlavor
        try d.set("ImageType", imageType)
        try d.set("ContentLabel", DICOMFormat.text(s.label, maxLength: 16))
        try d.set("ContentDescription", DICOMFormat.text(s.description, maxLength: 64))
        try d.setEmpty("ContentCreatorName")
        try d.set("ContentQualification", "RESEARCH")
        try d.set("PresentationLUTShape", "IDENTITY")
        try d.set("RecognizableVisualFeatures", "NO")
        try d.set("SamplesPerPixel", 1)
        try d.set("PhotometricInterpretation", "MONOCHROME2")
        try d.set("Rows", s.rows)
        try d.set("Columns", s.columns)
        try d.set("BitsAllocated", 32)
        try d.set("NumberOfFrames", s.slices)
        try d.setEmpty("AcquisitionContextSequence")
        // Multi-frame Dimension: stack ID and in-stack position (PS3.3 C.7.6.17).
        let dimensionUID = uids.make()
        try d.set("DimensionOrganizationSequence[0].DimensionOrganizationUID", dimensionUID)
        try d.set("DimensionOrganizationType", "3D")
        for (i, (pointer, label)) in [("(0020,9056)", "Stack ID"), ("(0020,9057)", "In-Stack Position Number")].enumerated() {
            let item = "DimensionIndexSequence[\(i)]"
            try d.set(item + ".DimensionOrganizationUID", dimensionUID)
            try d.set(item + ".DimensionIndexPointer", pointer)
            try d.set(item + ".FunctionalGroupPointer", "(0020,9111)")
            try d.set(item + ".DimensionDescriptionLabel", label)
        }
        // Shared functional groups.
        let shared = "SharedFunctionalGroupsSequence[0]"
        try d.set(shared + ".PixelMeasuresSequence[0].PixelSpacing", decimals: [g.pixelSpacing.row, g.pixelSpacing.column])
        try d.set(shared + ".PixelMeasuresSequence[0].SliceThickness", decimals: [g.sliceThickness])
        try d.set(shared + ".PixelMeasuresSequence[0].SpacingBetweenSlices", decimals: [g.spacingBetweenSlices])
        try d.set(shared + ".PlaneOrientationSequence[0].ImageOrientationPatient", decimals: g.rowDirection + g.columnDirection)
        try d.set(shared + ".FrameAnatomySequence[0].FrameLaterality", "U")
        try d.set(shared + ".FrameAnatomySequence[0].AnatomicRegionSequence[0]", code: study.anatomy)
        try d.set(shared + ".PixelValueTransformationSequence[0].RescaleIntercept", decimals: [0])
        try d.set(shared + ".PixelValueTransformationSequence[0].RescaleSlope", decimals: [1])
        try d.set(shared + ".PixelValueTransformationSequence[0].RescaleType", "US")
        try d.set(shared + ".FrameVOILUTSequence[0].WindowCenter", decimals: [window.center])
        try d.set(shared + ".FrameVOILUTSequence[0].WindowWidth", decimals: [window.width])
        if let f = window.function { try d.set(shared + ".FrameVOILUTSequence[0].VOILUTFunction", f) }
        try d.set(shared + ".ParametricMapFrameTypeSequence[0].FrameType", imageType)
        let lo = Double(values.min() ?? 0), hi = Double(values.max() ?? 0)
        try mapping(d, shared + ".RealWorldValueMappingSequence[0]", s, slope: 1, intercept: 0,
                    first: .double(lo), last: .double(hi))
        // Per-frame functional groups.
        for k in 0..<s.slices {
            let item = "PerFrameFunctionalGroupsSequence[\(k)]"
            try d.set(item + ".FrameContentSequence[0].StackID", "1")
            try d.set(item + ".FrameContentSequence[0].InStackPositionNumber", k + 1)
            try d.set(item + ".FrameContentSequence[0].DimensionIndexValues", "1\\\(k + 1)")
            try d.set(item + ".PlanePositionSequence[0].ImagePositionPatient",
                      decimals: g.position(slice: k, rows: s.rows, columns: s.columns, slices: s.slices))
        }
        try d.setPixels(values)
    }
}
