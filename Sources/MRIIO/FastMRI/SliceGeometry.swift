import Foundation

/// Where one acquired slice lies in the patient coordinate system (LPS, millimetres), as raw
/// data states it: the centre of the slice's field of view and the directions of the readout,
/// phase-encode and slice axes (ISMRMRD acquisition header `position`, `read_dir`, `phase_dir`,
/// `slice_dir`; Siemens MDH slice data).
///
/// A converted file stores one per k-space slice, in file order, as the root attribute
/// `slice_geometry` (a JSON array of `{"position": [x, y, z], "read": […], "phase": […],
/// "slice": […]}`); `recon` copies it to its output, so a DICOM export places each slice.
public struct SliceGeometry: Sendable, Equatable, Codable {
    /// Centre of the slice (mm, LPS).
    public var position: [Double]
    /// Unit vectors of increasing readout sample (H), phase-encode line (W) and slice.
    public var read: [Double], phase: [Double], slice: [Double]

    /// The attribute name in fastMRI-layout and reconstruction files.
    public static let attributeName = "slice_geometry"

    /// Creates a geometry; the directions are normalised to unit length.
    public init(position: [Double], read: [Double], phase: [Double], slice: [Double]) {
        self.position = position
        self.read = Self.unit(read)
        self.phase = Self.unit(phase)
        self.slice = Self.unit(slice)
    }

    /// True when all three vectors have three finite components and the read and phase
    /// directions are non-zero and orthogonal (within 1e-3): a geometry a DICOM header can state.
    public var isUsable: Bool {
        let all = [position, read, phase, slice]
        guard all.allSatisfy({ $0.count == 3 && $0.allSatisfy(\.isFinite) }) else { return false }
        let dot = zip(read, phase).reduce(0) { $0 + $1.0 * $1.1 }
        return Self.norm(read) > 0.5 && Self.norm(phase) > 0.5 && abs(dot) < 1e-3
    }

    /// The position's component along the slice direction (the sort key of a stack).
    public var slicePosition: Double { zip(position, slice).reduce(0) { $0 + $1.0 * $1.1 } }

    /// The JSON text of `slices` for the `slice_geometry` attribute.
    public static func attribute(_ slices: [SliceGeometry]) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: (try? e.encode(slices)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// Parses a `slice_geometry` attribute; nil when it is not a list of usable geometries.
    public static func parse(_ text: String) -> [SliceGeometry]? {
        guard let s = try? JSONDecoder().decode([SliceGeometry].self, from: Data(text.utf8)),
              !s.isEmpty, s.allSatisfy(\.isUsable) else { return nil }
        return s
    }

    static func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    static func unit(_ v: [Double]) -> [Double] {
        let n = norm(v)
        return n > 0 && n.isFinite ? v.map { $0 / n } : v
    }
}
