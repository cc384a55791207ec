import Foundation

/// The header as ISMRMRD XML (see `ISMRMRDHeader`).
extension ISMRMRDHeader {
    // MARK: - Writing

    /// Serialises the header as ISMRMRD XML (schema element order; absent fields omitted;
    /// `<encoding>` and its `<trajectory>` are always written, "cartesian" by default).
    /// `try ISMRMRDHeader(xml: h.xmlString()) == h` for any header whose strings are trimmed.
    public func xmlString() -> String {
        var w = XMLWriter()
        w.open("ismrmrdHeader", attributes: "xmlns=\"\(Self.namespace)\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"")
        if subject != SubjectInformation() {
            w.open("subjectInformation")
            w.leaf("patientName", subject.patientName)
            w.leaf("patientWeight_kg", subject.patientWeightKg)
            w.leaf("patientID", subject.patientID)
            w.leaf("patientBirthdate", subject.patientBirthdate)
            w.leaf("patientGender", subject.patientGender)
            w.close("subjectInformation")
        }
        if study != StudyInformation() {
            w.open("studyInformation")
            w.leaf("studyDate", study.studyDate)
            w.leaf("studyTime", study.studyTime)
            w.leaf("studyID", study.studyID)
            w.leaf("accessionNumber", study.accessionNumber)
            w.leaf("referringPhysicianName", study.referringPhysicianName)
            w.leaf("studyDescription", study.studyDescription)
            w.leaf("studyInstanceUID", study.studyInstanceUID)
            w.close("studyInformation")
        }
        if measurement != MeasurementInformation() {
            w.open("measurementInformation")
            w.leaf("measurementID", measurement.measurementID)
            w.leaf("seriesDate", measurement.seriesDate)
            w.leaf("seriesTime", measurement.seriesTime)
            w.leaf("patientPosition", measurement.patientPosition)
            w.leaf("initialSeriesNumber", measurement.initialSeriesNumber)
            w.leaf("protocolName", measurement.protocolName)
            w.leaf("seriesDescription", measurement.seriesDescription)
            w.leaf("seriesInstanceUIDRoot", measurement.seriesInstanceUIDRoot)
            w.leaf("frameOfReferenceUID", measurement.frameOfReferenceUID)
            w.close("measurementInformation")
        }
        if acquisitionSystem != AcquisitionSystemInformation() {
            let a = acquisitionSystem
            w.open("acquisitionSystemInformation")
            w.leaf("systemVendor", a.systemVendor)
            w.leaf("systemModel", a.systemModel)
            w.leaf("systemFieldStrength_T", a.systemFieldStrengthT)
            w.leaf("relativeReceiverNoiseBandwidth", a.relativeReceiverNoiseBandwidth)
            w.leaf("receiverChannels", a.receiverChannels)
            w.leaf("institutionName", a.institutionName)
            w.leaf("stationName", a.stationName)
            w.leaf("deviceID", a.deviceID)
            w.close("acquisitionSystemInformation")
        }
        if let h1 = h1ResonanceFrequencyHz {
            w.open("experimentalConditions")
            w.leaf("H1resonanceFrequency_Hz", h1)
            w.close("experimentalConditions")
        }
        w.open("encoding")
        for (name, space) in [("encodedSpace", encodedSpace), ("reconSpace", reconSpace)] {
            guard let space else { continue }
            w.open(name)
            if let m = space.matrixSize {
                w.open("matrixSize")
                w.leaf("x", m.x)
                w.leaf("y", m.y)
                w.leaf("z", m.z)
                w.close("matrixSize")
            }
            if let f = space.fieldOfView {
                w.open("fieldOfView_mm")
                w.leaf("x", f.x)
                w.leaf("y", f.y)
                w.leaf("z", f.z)
                w.close("fieldOfView_mm")
            }
            w.close(name)
        }
        let limits = [("kspace_encoding_step_1", kspaceEncodingStep1), ("kspace_encoding_step_2", kspaceEncodingStep2), ("slice", sliceLimit)]
        if limits.contains(where: { $0.1 != nil }) {
            w.open("encodingLimits")
            for (name, limit) in limits {
                guard let limit else { continue }
                w.open(name)
                w.leaf("minimum", limit.minimum)
                w.leaf("maximum", limit.maximum)
                w.leaf("center", limit.center)
                w.close(name)
            }
            w.close("encodingLimits")
        }
        w.leaf("trajectory", trajectory ?? "cartesian")
        w.close("encoding")
        if sequence != SequenceParameters() {
            w.open("sequenceParameters")
            for v in sequence.repetitionTimes { w.leaf("TR", v) }
            for v in sequence.echoTimes { w.leaf("TE", v) }
            for v in sequence.inversionTimes { w.leaf("TI", v) }
            for v in sequence.flipAnglesDeg { w.leaf("flipAngle_deg", v) }
            w.leaf("sequence_type", sequence.sequenceType)
            for v in sequence.echoSpacings { w.leaf("echo_spacing", v) }
            w.close("sequenceParameters")
        }
        w.close("ismrmrdHeader")
        return w.text
    }
}

/// Indented XML text output with escaping.
struct XMLWriter {
    var text = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    private var depth = 0

    mutating func open(_ name: String, attributes: String = "") {
        text += String(repeating: "  ", count: depth) + "<\(name)\(attributes.isEmpty ? "" : " " + attributes)>\n"
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        text += String(repeating: "  ", count: depth) + "</\(name)>\n"
    }

    mutating func leaf(_ name: String, _ value: String?) {
        guard let value else { return }
        text += String(repeating: "  ", count: depth) + "<\(name)>\(Self.escape(value))</\(name)>\n"
    }

    mutating func leaf(_ name: String, _ value: Int?) { leaf(name, value.map { String($0) }) }

    mutating func leaf(_ name: String, _ value: Double?) {
        guard let value else { return }
        // Integral values print without a fraction ("140"), others with Swift's shortest round-trip form.
        let s = value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        leaf(name, s)
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
