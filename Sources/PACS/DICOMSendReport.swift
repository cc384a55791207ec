import Foundation

/// The outcome of `DICOMSender.send`: one entry per DICOM file, in the order given.
///
/// A file counts as stored when the peer confirmed it: C-STORE status 0x0000 or a warning
/// (0xB…), or STOW-RS listing it in the ReferencedSOPSequence (0008,1199) or answering HTTP 200.
/// Nothing is ever deleted: every file stays on disk whatever its outcome.
public struct DICOMSendReport: Sendable {
    /// One file's outcome.
    public struct Instance: Sendable {
        /// The file sent (or that could not be sent).
        public var file: URL
        /// SOP Class UID from the file meta information (empty when the file is not readable DICOM).
        public var sopClassUID: String
        /// SOP Instance UID from the file meta information (empty when the file is not readable DICOM).
        public var sopInstanceUID: String
        /// Transfer Syntax UID of the file (empty when unreadable).
        public var transferSyntaxUID: String
        /// True when the peer confirmed storage.
        public var stored: Bool
        /// The peer's answer: "C-STORE status 0x0000", "HTTP 200", "HTTP 202, FailureReason 0xA900", or
        /// "not sent" for a local failure.
        public var status: String
        /// Why it was not stored, or a warning the peer gave (nil for a plain success).
        public var reason: String?
        /// Transfers tried (0 for a file that could not be read locally).
        public var attempts: Int
    }

    /// The destination without credentials.
    public var destination: String
    /// Outcomes in the order of the input files.
    public var instances: [Instance]
    /// Files under the directory that were not taken as DICOM (no `DICM` preamble, no `.dcm`
    /// suffix) or were a DICOMDIR; listed, never sent.
    public var skipped: [URL]

    /// The files that were not stored.
    public var failed: [Instance] { instances.filter { !$0.stored } }
    /// True when every instance was stored.
    public var allStored: Bool { instances.allSatisfy(\.stored) }

    /// Creates a report.
    public init(destination: String, instances: [Instance], skipped: [URL] = []) {
        self.destination = destination
        self.instances = instances
        self.skipped = skipped
    }
}
