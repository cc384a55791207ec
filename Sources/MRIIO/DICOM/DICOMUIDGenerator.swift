import Foundation

/// Makes DICOM UIDs (PS3.5 §9) under a root.
///
/// The default root is `2.25`, the UUID-derived arc of ISO/IEC 9834-8 (PS3.5 §B.2): a UID is
/// `2.25.` followed by a random (version 4) UUID read as one 128-bit unsigned decimal, so no
/// registered organisation root is needed. Under any other root the UID is `ROOT.` followed by
/// the decimal digits of a fresh random UUID, cut to keep the UID within 64 characters
/// (at least 20 random digits are kept, so the root may be at most 43 characters).
public struct DICOMUIDGenerator: Sendable {
    /// The ISO/IEC 9834-8 UUID arc.
    public static let uuidRoot = "2.25"

    /// The root every UID starts with.
    public let root: String

    /// Validates `root`: digits and dots, no empty or zero-led component, at most 43 characters.
    /// - Throws: `MRIIOError.invalidValue(name: "uidRoot", …)`.
    public init(root: String = DICOMUIDGenerator.uuidRoot) throws {
        let parts = root.split(separator: ".", omittingEmptySubsequences: false)
        let valid = !root.isEmpty && root.count <= 43 && parts.allSatisfy { p in
            !p.isEmpty && p.allSatisfy { $0.isASCII && $0.isNumber } && (p == "0" || p.first != "0")
        }
        guard valid else {
            throw MRIIOError.invalidValue(
                name: "uidRoot",
                reason: "'\(root)' is not a UID root (dot-separated decimal numbers without leading zeros, at most 43 characters)")
        }
        self.root = root
    }

    /// A new UID, unique with overwhelming probability (122 random bits of a UUID).
    public func make() -> String {
        let digits = Self.decimal(UUID())
        if root == Self.uuidRoot { return root + "." + digits }
        let room = 64 - root.count - 1
        var tail = String(digits.suffix(room))
        while tail.count > 1 && tail.first == "0" { tail.removeFirst() }
        return root + "." + tail
    }

    /// The 128 bits of `uuid` as an unsigned decimal string (no leading zeros).
    static func decimal(_ uuid: UUID) -> String {
        let u = uuid.uuid
        var limbs: [UInt32] = [
            UInt32(u.0) << 24 | UInt32(u.1) << 16 | UInt32(u.2) << 8 | UInt32(u.3),
            UInt32(u.4) << 24 | UInt32(u.5) << 16 | UInt32(u.6) << 8 | UInt32(u.7),
            UInt32(u.8) << 24 | UInt32(u.9) << 16 | UInt32(u.10) << 8 | UInt32(u.11),
            UInt32(u.12) << 24 | UInt32(u.13) << 16 | UInt32(u.14) << 8 | UInt32(u.15),
        ]
        var out = [Character]()
        while limbs.contains(where: { $0 != 0 }) {
            var remainder: UInt64 = 0
            for i in limbs.indices {
                let cur = remainder << 32 | UInt64(limbs[i])
                limbs[i] = UInt32(cur / 10)
                remainder = cur % 10
            }
            out.append(Character(String(remainder)))
        }
        return out.isEmpty ? "0" : String(out.reversed())
    }
}
