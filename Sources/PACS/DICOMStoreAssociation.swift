import DCMTKShim
import Foundation
import MRIIO

/// One C-STORE SCU association over the DCMTK shim (`dcm_net_*`). Internal to `DICOMSender`.
final class DICOMStoreAssociation {
    /// Explicit VR Little Endian.
    static let explicitLE = "1.2.840.10008.1.2.1"
    /// Implicit VR Little Endian (the DICOM default every SCP must accept).
    static let implicitLE = "1.2.840.10008.1.2"

    /// What a C-STORE attempt came to.
    enum Outcome {
        /// Stored (status 0x0000, or a 0xB… warning given in `warning`).
        case stored(status: UInt16, warning: String?)
        /// The peer answered with a failure status.
        case refused(status: UInt16, reason: String)
        /// The local file could not be read; nothing was sent.
        case unreadable(reason: String)
        /// No accepted presentation context fits this file.
        case noContext(reason: String)
        /// The exchange broke off; the association is gone.
        case lost(reason: String)
    }

    private let handle: OpaquePointer
    let peer: String

    /// Identification of a file from its meta information, or a one-line reason.
    static func identify(_ url: URL) -> Result<(sopClass: String, sopInstance: String, transferSyntax: String), MRIIOError> {
        var info = dcm_net_file_info()
        var message = [CChar](repeating: 0, count: 512)
        let status = message.withUnsafeMutableBufferPointer { dcm_net_identify_file(url.path, &info, $0.baseAddress, $0.count) }
        guard status == DCM_NET_OK else {
            let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            return .failure(.dicom(file: url.path, reason: text.replacingOccurrences(of: url.path + ": ", with: "")))
        }
        func string<T>(_ tuple: T) -> String {
            withUnsafeBytes(of: tuple) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return .success((string(info.sop_class_uid), string(info.sop_instance_uid), string(info.transfer_syntax_uid)))
    }

    /// The presentation contexts for `files` (SOP class, transfer syntax): per SOP class one
    /// context offering Explicit then Implicit VR Little Endian, plus one context per other
    /// transfer syntax used by files of that class (sent as they are, never transcoded).
    static func contexts(for files: [(sopClass: String, transferSyntax: String)]) -> [(sopClass: String, syntaxes: [String])] {
        var result = [(sopClass: String, syntaxes: [String])]()
        var seen = Set<String>()
        for f in files {
            guard seen.insert(contextKey(sopClass: f.sopClass, transferSyntax: f.transferSyntax)).inserted else { continue }
            result.append((f.sopClass, isUncompressedLE(f.transferSyntax) ? [explicitLE, implicitLE] : [f.transferSyntax]))
        }
        return result
    }

    static func isUncompressedLE(_ ts: String) -> Bool { ts == explicitLE || ts == implicitLE }

    /// The presentation context a file travels on: its SOP class plus "LE" or its own transfer syntax.
    static func contextKey(sopClass: String, transferSyntax: String) -> String {
        sopClass + "|" + (isUncompressedLE(transferSyntax) ? "LE" : transferSyntax)
    }

    /// Opens an association proposing `contexts` (at most 128).
    /// - Throws: `(status, message)` as `ConnectError`.
    init(callingAET: String, calledAET: String, host: String, port: Int, timeout: Int,
         contexts: [(sopClass: String, syntaxes: [String])]) throws {
        precondition(!contexts.isEmpty && contexts.count <= 128, "1…128 presentation contexts")
        guard let h = dcm_net_association_create(callingAET, calledAET, host, Int32(port), Int32(timeout)) else {
            throw ConnectError(retryable: false, message: "cannot create an association (calling AE \(callingAET), port \(port), timeout \(timeout) s)")
        }
        handle = h
        peer = "\(calledAET)@\(host):\(port)"
        for c in contexts {
            try Self.call(retryable: false) { dcm_net_add_context(h, c.sopClass, c.syntaxes.joined(separator: "\\"), $0, $1) }
        }
        try Self.call(retryable: nil) { dcm_net_connect(h, Int32(timeout), $0, $1) }
    }

    deinit { dcm_net_association_free(handle) }

    /// A failed association attempt.
    struct ConnectError: Error {
        /// True when trying again later may help (no connection); false for a rejection.
        var retryable: Bool
        var message: String
    }

    /// Runs a shim call; `retryable` nil means: retryable unless the peer rejected or offered no context.
    private static func call(retryable: Bool?, _ body: (UnsafeMutablePointer<CChar>, Int) -> dcm_net_status) throws {
        var buffer = [CChar](repeating: 0, count: 1024)
        let status = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        guard status == DCM_NET_OK else {
            let message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let again = retryable ?? (status == DCM_NET_ERROR_CONNECT)
            throw ConnectError(retryable: again, message: message)
        }
    }

    /// True while the association is up.
    var isConnected: Bool { dcm_net_is_connected(handle) != 0 }

    /// Sends one file with C-STORE.
    func store(_ url: URL) -> Outcome {
        var buffer = [CChar](repeating: 0, count: 1024)
        var dimse: UInt16 = 0xFFFF
        let status = buffer.withUnsafeMutableBufferPointer { dcm_net_store(handle, url.path, &dimse, $0.baseAddress, $0.count) }
        let message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        switch status {
        case DCM_NET_OK: return .stored(status: dimse, warning: message.isEmpty ? nil : message)
        case DCM_NET_ERROR_REFUSED: return .refused(status: dimse, reason: message)
        case DCM_NET_ERROR_FILE: return .unreadable(reason: message)
        case DCM_NET_ERROR_NO_CONTEXT: return .noContext(reason: message)
        default: return .lost(reason: message)
        }
    }
}
