import Foundation
import MRIIO

/// Text and JSON renderings of `FastMRIFileInfo` for `mri-daps info` (the library never prints).
public enum InfoReport {
    /// Inspects `file` and renders it as text or JSON. A raw file (ISMRMRD, TWIX) is shown as
    /// `convert` (and `recon`) would read it, with the raw file's path and a first line saying so.
    /// Identity (patient, study, `patient_id`) is shown only with `showIdentity`; otherwise one
    /// line says whether the file carries any.
    public static func render(file: URL, json asJSON: Bool, showIdentity: Bool = false) throws -> String {
        guard ISMRMRDConversion.isRawData(file) else {
            let info = try FastMRIFile.inspect(file)
            return asJSON ? try json(info, showIdentity: showIdentity) : text(info, showIdentity: showIdentity)
        }
        let raw = RawInputCache()
        defer { raw.removeAll() }
        var info = try FastMRIFile.inspect(try raw.readable(file))
        info.path = file.path
        return asJSON ? try json(info, showIdentity: showIdentity)
            : "raw data, shown as converted to the fastMRI layout:\n" + text(info, showIdentity: showIdentity)
    }

    /// The identifying facts of a file (fastMRI `patient_id`; the header's subject, study and
    /// frame of reference), in a fixed order; empty values left out.
    public static func identity(_ i: FastMRIFileInfo) -> [(String, String)] {
        let h = i.header
        let facts: [(String, String?)] = [
            ("patient_id", i.patientID), ("patient_name", h?.subject.patientName), ("patient_id_header", h?.subject.patientID),
            ("patient_birthdate", h?.subject.patientBirthdate), ("patient_sex", h?.subject.patientGender),
            ("study_instance_uid", h?.study.studyInstanceUID), ("study_id", h?.study.studyID),
            ("study_date", h?.study.studyDate), ("study_time", h?.study.studyTime),
            ("study_description", h?.study.studyDescription), ("accession_number", h?.study.accessionNumber.map(String.init)),
            ("referring_physician", h?.study.referringPhysicianName),
            ("frame_of_reference_uid", h?.measurement.frameOfReferenceUID),
            ("institution", h?.acquisitionSystem.institutionName),
        ]
        return facts.compactMap { k, v in v.flatMap { $0.isEmpty ? nil : (k, $0) } }
    }

    /// One line on the slice geometry attribute: slices, orientation, first centre and spacing.
    static func geometryLine(_ i: FastMRIFileInfo) -> String? {
        guard let text = i.otherAttributes[SliceGeometry.attributeName]?.stringValue,
              let g = SliceGeometry.parse(text) else { return nil }
        let v = { (x: [Double]) in "(" + x.map { String(format: "%.3f", $0) }.joined(separator: ", ") + ")" }
        let spacing = g.count > 1 ? String(format: ", spacing %.3f mm", abs(g[1].slicePosition - g[0].slicePosition)) : ""
        return "slice geometry: \(g.count) slices, read \(v(g[0].read)), phase \(v(g[0].phase)), slice \(v(g[0].slice)), "
            + "first centre \(v(g[0].position)) mm\(spacing)"
    }

    /// Human-readable lines.
    public static func text(_ i: FastMRIFileInfo, showIdentity: Bool = false) -> String {
        var l = [String]()
        l.append("file: \(i.path)")
        l.append("layout: \(i.layout.rawValue)\(i.isSingleCoil ? " (single-coil)" : " (multi-coil)")")
        l.append("kspace: \(i.slices) slices × \(i.sliceShape.coils) coils × \(i.sliceShape.height) (H, readout) × \(i.sliceShape.width) (W, phase encode), \(i.kspaceType)")
        for t in i.targets { l.append("target: \(t.name) \(t.shape)") }
        if let m = i.mask, i.maskIsTwoDimensional {
            let n = i.maskSamples ?? 0
            l.append(String(format: "mask: 2-D (H, W) = (%d, %d), %d of %d positions sampled (effective acceleration %.2f×)",
                            i.sliceShape.height, i.sliceShape.width, n, m.count, Double(m.count) / Double(max(n, 1))))
        } else if let m = i.mask {
            let n = i.sampledColumns ?? 0
            l.append(String(format: "mask: %d of %d columns sampled (effective acceleration %.2f×)", n, m.count, Double(m.count) / Double(max(n, 1))))
        } else {
            l.append("mask: none (fully sampled)")
        }
        if let a = i.acceleration { l.append("acceleration: \(a)") }
        if let n = i.numLowFrequencies { l.append("num_low_frequency: \(n)") }
        if let a = i.acquisition { l.append("acquisition: \(a)") }
        if let m = i.max { l.append("max: \(m)") }
        if let n = i.norm { l.append("norm: \(n)") }
        let who = identity(i)
        if showIdentity {
            for (k, v) in who { l.append("\(k): \(v)") }
        } else if !who.isEmpty {
            l.append("identity: \(who.count) fields (\(who.map(\.0).joined(separator: ", "))), not shown; --show-identity prints them")
        }
        if let g = geometryLine(i) { l.append(g) }
        for (k, v) in i.otherAttributes.sorted(by: { $0.key < $1.key }) where k != SliceGeometry.attributeName {
            l.append("attr \(k): \(v)")
        }
        if let h = i.header {
            if let e = h.encodedSpace?.matrixSize { l.append("encoded matrix: \(e.x) × \(e.y) × \(e.z)") }
            if let f = h.encodedSpace?.fieldOfView { l.append("encoded FOV (mm): \(f.x) × \(f.y) × \(f.z)") }
            if let r = h.reconSpace?.matrixSize { l.append("recon matrix: \(r.x) × \(r.y) × \(r.z)") }
            if let f = h.reconSpace?.fieldOfView { l.append("recon FOV (mm): \(f.x) × \(f.y) × \(f.z)") }
            if let w = h.acquiredPhaseEncodeWindow { l.append("acquired phase-encode columns: \(w.lowerBound)..<\(w.upperBound)") }
            if let lim = h.kspaceEncodingStep1 { l.append("kspace_encoding_step_1: min \(lim.minimum) max \(lim.maximum) center \(lim.center)") }
            let s = h.sequence
            let seq = [("TR", s.tr), ("TE", s.te), ("TI", s.ti), ("flip", s.flipAngleDeg)].compactMap { n, v in v.map { "\(n) \($0)" } }
            if !seq.isEmpty { l.append("sequence: " + seq.joined(separator: ", ")) }
            let sys = h.acquisitionSystem
            let parts = [sys.systemVendor, sys.systemModel, sys.systemFieldStrengthT.map { "\($0) T" }, sys.receiverChannels.map { "\($0) channels" }].compactMap { $0 }
            if !parts.isEmpty { l.append("system: " + parts.joined(separator: ", ")) }
            if let p = h.measurement.protocolName { l.append("protocol: \(p)") }
        } else {
            l.append("ismrmrd_header: absent")
        }
        return l.joined(separator: "\n")
    }

    /// A JSON object with the same facts.
    public static func json(_ i: FastMRIFileInfo, showIdentity: Bool = false) throws -> String {
        var o: [String: Any] = [
            "file": i.path, "layout": i.layout.rawValue, "single_coil": i.isSingleCoil,
            "slices": i.slices, "coils": i.sliceShape.coils, "height": i.sliceShape.height, "width": i.sliceShape.width,
            "targets": Dictionary(uniqueKeysWithValues: i.targets.map { ($0.name, $0.shape) }),
        ]
        if i.mask != nil, i.maskIsTwoDimensional {
            o["mask_shape"] = [i.sliceShape.height, i.sliceShape.width]
            o["mask_samples"] = i.maskSamples ?? 0
        } else if let m = i.mask { o["sampled_columns"] = i.sampledColumns ?? 0; o["mask_length"] = m.count }
        if let a = i.acceleration { o["acceleration"] = a }
        if let n = i.numLowFrequencies { o["num_low_frequency"] = n }
        if let a = i.acquisition { o["acquisition"] = a }
        if let h = i.header {
            if let e = h.encodedSpace?.matrixSize { o["encoded_matrix"] = [e.x, e.y, e.z] }
            if let r = h.reconSpace?.matrixSize { o["recon_matrix"] = [r.x, r.y, r.z] }
            if let f = h.reconSpace?.fieldOfView { o["recon_fov_mm"] = [f.x, f.y, f.z] }
            if let w = h.acquiredPhaseEncodeWindow { o["acquired_columns"] = [w.lowerBound, w.upperBound] }
        }
        let who = identity(i)
        if showIdentity {
            o["identity"] = Dictionary(uniqueKeysWithValues: who)
        } else if !who.isEmpty {
            o["identity_fields_hidden"] = who.map(\.0)
        }
        if let text = i.otherAttributes[SliceGeometry.attributeName]?.stringValue, let g = SliceGeometry.parse(text) {
            o["slice_geometry"] = g.map { ["position": $0.position, "read": $0.read, "phase": $0.phase, "slice": $0.slice] }
        }
        let d = try JSONSerialization.data(withJSONObject: o, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: d, as: UTF8.self)
    }
}
