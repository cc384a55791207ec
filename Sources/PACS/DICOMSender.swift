import Foundation
import MRIIO

/// Sends DICOM Part 10 files to a PACS by C-STORE (DIMSE, through DCMTK) or STOW-RS (DICOMweb,
/// through libcurl), with retries, and reports every instance. It never modifies or deletes
/// a file.
///
/// Retries: a failure that may pass (no connection, a lost association, HTTP 5xx/408/429,
/// C-STORE or STOW FailureReason 0xA7xx "out of resources" or 0x0110 "processing failure")
/// leaves the instance pending; pending instances are sent again after
/// `initialBackoff · 2^(k−1)` seconds in retry round k = 1 … `retries`. Local failures (the
/// file is not readable DICOM) and permanent refusals (e.g. 0xA9xx, 0xCxxx, HTTP 4xx) are final
/// at once. When the peer cannot be reached at all, or refuses the whole transfer (association
/// rejected, HTTP 401/403/404, a TLS certificate not accepted) before anything was stored, `send` throws
/// `MRIIOError.network` naming the destination; otherwise it returns a `DICOMSendReport`.
///
/// The network lives in this module (PACS), not in MRIIO; `mri-daps send` and `recon --send`
/// call it through `PACSDelivery`.
public struct DICOMSender: Sendable {
    /// Sending parameters.
    public struct Options: Sendable {
        /// Our (calling) AE title for C-STORE.
        public var callingAET = "MRIDAPS"
        /// Retry rounds after the first attempt (0: no retry).
        public var retries = 3
        /// Delay before the first retry round, seconds; doubled for each further round.
        public var initialBackoff: Double = 1
        /// Connection, association and per-message timeout, seconds.
        public var timeout: Double = 30
        /// Upper bound on the files' bytes in one STOW-RS request (at least one file per request).
        public var maxRequestBytes = 32 << 20
        /// PEM file of the CA certificates trusted for `https` instead of the system's store (nil:
        /// the system's store). Certificates are verified either way.
        public var caFile: URL?
        /// Progress notes (retries), one line each; nil: silent.
        public var log: (@Sendable (String) -> Void)?
        /// Default options.
        public init() {}
    }

    /// Where files go.
    public let destination: DICOMDestination
    /// Sending parameters.
    public let options: Options

    /// - Throws: `MRIIOError.invalidValue` for a bad calling AE title, a negative retry count,
    ///   a non-positive timeout, a negative backoff, or a CA file that is not a readable PEM
    ///   certificate file or is given for a destination other than `https`.
    public init(destination: DICOMDestination, options: Options = Options()) throws {
        try DICOMDestination.validateAET(options.callingAET, name: "--aet")
        guard (0...100).contains(options.retries) else { throw MRIIOError.invalidValue(name: "--retries", reason: "\(options.retries) is outside 0…100") }
        guard options.timeout > 0, options.timeout <= 86_400 else {
            throw MRIIOError.invalidValue(name: "--timeout", reason: "\(options.timeout) s is outside (0, 86400]")
        }
        guard options.initialBackoff >= 0, options.initialBackoff <= 3600 else {
            throw MRIIOError.invalidValue(name: "--retry-delay", reason: "\(options.initialBackoff) s is outside 0…3600")
        }
        if let ca = options.caFile { try Self.validateCAFile(ca, destination: destination) }
        self.destination = destination
        self.options = options
    }

    /// Refuses a CA file that cannot serve `destination`: not `https`, unreadable, or without a
    /// PEM certificate.
    static func validateCAFile(_ file: URL, destination: DICOMDestination) throws {
        guard case .stow(let base) = destination.kind, base.scheme?.lowercased() == "https" else {
            throw MRIIOError.invalidValue(name: "--ca-file", reason: "applies to https destinations only (\(destination) is not https)")
        }
        guard let pem = try? Data(contentsOf: file) else {
            throw MRIIOError.invalidValue(name: "--ca-file", reason: "\(file.path): cannot read it")
        }
        guard pem.range(of: Data("-----BEGIN CERTIFICATE-----".utf8)) != nil else {
            throw MRIIOError.invalidValue(name: "--ca-file", reason: "\(file.path) holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
    }

    /// SOP Class UID of a DICOMDIR (Media Storage Directory Storage): never sent.
    static let mediaStorageDirectory = "1.2.840.10008.1.3.10"

    /// The files under `directory` (recursively, hidden names skipped, sorted by path) that look
    /// like DICOM: a Part 10 preamble (`DICM` at byte 128) or a `.dcm` suffix. Others, and files
    /// named DICOMDIR, come back as `skipped`.
    /// - Throws: `MRIIOError.notFound` when `directory` is missing; `.invalidValue` when it holds no DICOM file.
    public static func discover(in directory: URL) throws -> (files: [URL], skipped: [URL]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw MRIIOError.notFound(file: directory.path)
        }
        guard isDirectory.boolValue else {
            throw MRIIOError.invalidValue(name: directory.path, reason: "not a directory")
        }
        let keys: [URLResourceKey] = [.isRegularFileKey]
        guard let e = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: keys, options: [.skipsHiddenFiles]) else {
            throw MRIIOError.notFound(file: directory.path)
        }
        var files = [URL](), skipped = [URL]()
        for case let url as URL in e {
            guard (try? url.resourceValues(forKeys: Set(keys)).isRegularFile) == true else { continue }
            if url.lastPathComponent.uppercased() == "DICOMDIR" {
                skipped.append(url)
            } else if url.pathExtension.lowercased() == "dcm" || hasPart10Preamble(url) {
                files.append(url)
            } else {
                skipped.append(url)
            }
        }
        files.sort { $0.path < $1.path }
        skipped.sort { $0.path < $1.path }
        guard !files.isEmpty else {
            throw MRIIOError.invalidValue(name: directory.path, reason: "no DICOM files (Part 10 with 'DICM' at byte 128, or *.dcm) found")
        }
        return (files, skipped)
    }

    /// True when bytes 128…131 of the file are `DICM`.
    static func hasPart10Preamble(_ url: URL) -> Bool {
        guard let h = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? h.close() }
        guard let d = try? h.read(upToCount: 132), d.count == 132 else { return false }
        return d.suffix(4).elementsEqual("DICM".utf8)
    }

    /// Sends every DICOM file under `directory` (see `discover(in:)`).
    public func send(directory: URL) throws -> DICOMSendReport {
        let (files, skipped) = try Self.discover(in: directory)
        var report = try send(files: files)
        report.skipped = skipped
        return report
    }

    /// Sends `files` in order; see the type's documentation for retries and errors.
    public func send(files: [URL]) throws -> DICOMSendReport {
        var state = State(instances: files.map { url in
            switch DICOMStoreAssociation.identify(url) {
            case .success(let id):
                if id.sopClass == Self.mediaStorageDirectory {
                    return Pending(url: url, sopClass: id.sopClass, sopInstance: id.sopInstance, transferSyntax: id.transferSyntax,
                                   final: true, reason: "a DICOMDIR (Media Storage Directory) is not sent")
                }
                return Pending(url: url, sopClass: id.sopClass, sopInstance: id.sopInstance, transferSyntax: id.transferSyntax)
            case .failure(let e):
                var reason = e.description
                if case .dicom(_, let r) = e { reason = r }
                return Pending(url: url, sopClass: "", sopInstance: "", transferSyntax: "", final: true, reason: reason)
            }
        })
        for round in 0...options.retries {
            let pending = state.pendingIndices
            if pending.isEmpty || state.fatal != nil { break }
            if round > 0 {
                let delay = options.initialBackoff * pow(2, Double(round - 1))
                options.log?("\(destination): retrying \(pending.count) instance(s) in \(String(format: "%.1f", delay)) s (retry \(round) of \(options.retries))")
                if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            }
            switch destination.kind {
            case .dimse(let aet, let host, let port): storeRound(&state, pending, calledAET: aet, host: host, port: port)
            case .stow(let base): stowRound(&state, pending, endpoint: base.appendingPathComponent("studies"))
            }
        }
        let storedCount = state.instances.filter(\.stored).count
        let attempted = state.instances.contains { $0.attempts > 0 }
        if storedCount == 0, let fatal = state.fatal {
            throw MRIIOError.network(url: destination.description, reason: fatal)
        }
        if storedCount == 0, attempted, !state.contacted, let last = state.lastTransportError {
            let tries = options.retries + 1
            throw MRIIOError.network(url: destination.description, reason: "cannot reach the PACS: \(last) (\(tries) attempt\(tries == 1 ? "" : "s"))")
        }
        return DICOMSendReport(destination: destination.description, instances: state.instances.map { p in
            .init(file: p.url, sopClassUID: p.sopClass, sopInstanceUID: p.sopInstance, transferSyntaxUID: p.transferSyntax,
                  stored: p.stored, status: p.status ?? "not sent", reason: p.reason, attempts: p.attempts)
        })
    }

    // MARK: - State

    /// One file's progress.
    struct Pending {
        var url: URL
        var sopClass: String
        var sopInstance: String
        var transferSyntax: String
        /// No further attempt (stored, or a permanent failure).
        var final = false
        var stored = false
        var status: String?
        var reason: String?
        var attempts = 0
    }

    struct State {
        var instances: [Pending]
        /// A response came from the peer at least once (association or HTTP answer).
        var contacted = false
        var lastTransportError: String?
        /// The peer refused the whole transfer: no further rounds.
        var fatal: String?
        var pendingIndices: [Int] { instances.indices.filter { !instances[$0].final } }

        mutating func store(_ i: Int, status: String, warning: String?) {
            instances[i].final = true
            instances[i].stored = true
            instances[i].status = status
            instances[i].reason = warning
        }

        mutating func fail(_ i: Int, status: String, reason: String, retryable: Bool) {
            instances[i].final = !retryable
            instances[i].status = status
            instances[i].reason = reason
        }
    }

    /// True for DIMSE/STOW failure statuses that may pass: 0xA7xx out of resources, 0x0110 processing failure.
    static func isTransient(_ status: UInt16) -> Bool { status & 0xFF00 == 0xA700 || status == 0x0110 }

    /// Meaning of a C-STORE / STOW-RS FailureReason status (PS3.4 B.2.3, PS3.18 Table I.2-3).
    static func meaning(_ status: UInt16) -> String {
        switch status {
        case 0x0000: return "success"
        case 0x0110: return "processing failure"
        case 0x0122: return "SOP class not supported"
        case 0x0124: return "not authorized"
        case 0xC122: return "transfer syntax not supported"
        case let s where s & 0xFF00 == 0xA700: return "out of resources"
        case let s where s & 0xFF00 == 0xA900: return "data set does not match SOP class"
        case let s where s & 0xF000 == 0xC000: return "cannot understand"
        case let s where s & 0xF000 == 0xB000: return "warning"
        default: return "failure"
        }
    }

    static func hex(_ s: UInt16) -> String { String(format: "0x%04X", s) }

    // MARK: - C-STORE

    private func storeRound(_ state: inout State, _ pending: [Int], calledAET: String, host: String, port: Int) {
        let timeout = max(1, Int(options.timeout.rounded(.up)))
        // Group by presentation context; one association per ≤ 128 contexts (the DICOM limit).
        let all = DICOMStoreAssociation.contexts(for: pending.map { (state.instances[$0].sopClass, state.instances[$0].transferSyntax) })
        var chunks = [[(sopClass: String, syntaxes: [String])]]()
        for start in stride(from: 0, to: all.count, by: 128) { chunks.append(Array(all[start..<min(start + 128, all.count)])) }
        for contexts in chunks {
            let keys = Set(contexts.map { DICOMStoreAssociation.contextKey(sopClass: $0.sopClass, transferSyntax: $0.syntaxes[0]) })
            let members = pending.filter { i in
                keys.contains(DICOMStoreAssociation.contextKey(sopClass: state.instances[i].sopClass, transferSyntax: state.instances[i].transferSyntax))
            }
            let association: DICOMStoreAssociation
            do {
                association = try DICOMStoreAssociation(
                    callingAET: options.callingAET, calledAET: calledAET, host: host, port: port, timeout: timeout, contexts: contexts)
            } catch let e as DICOMStoreAssociation.ConnectError {
                for i in members {
                    state.instances[i].attempts += 1
                    state.fail(i, status: "not sent", reason: e.message, retryable: e.retryable)
                }
                if e.retryable {
                    state.lastTransportError = e.message
                    return  // the peer is not answering: wait for the next round
                }
                state.contacted = true
                state.fatal = e.message
                return
            } catch {
                state.fatal = "\(error)"
                return
            }
            state.contacted = true
            var lost: String?
            for i in members {
                if let lost {
                    state.fail(i, status: "not sent", reason: "association lost before this instance was sent: \(lost)", retryable: true)
                    continue
                }
                state.instances[i].attempts += 1
                switch association.store(state.instances[i].url) {
                case .stored(let s, let warning):
                    state.store(i, status: "C-STORE status \(Self.hex(s))", warning: warning)
                case .refused(let s, _):
                    state.fail(i, status: "C-STORE status \(Self.hex(s))",
                               reason: "refused by \(calledAET): \(Self.hex(s)) \(Self.meaning(s))", retryable: Self.isTransient(s))
                case .unreadable(let reason):
                    state.instances[i].attempts -= 1
                    state.fail(i, status: "not sent", reason: reason, retryable: false)
                case .noContext(let reason):
                    state.fail(i, status: "not sent", reason: reason, retryable: false)
                case .lost(let reason):
                    state.fail(i, status: "no response", reason: reason, retryable: true)
                    lost = reason
                }
            }
        }
    }

    // MARK: - STOW-RS

    private func stowRound(_ state: inout State, _ pending: [Int], endpoint: URL) {
        // Batches of at most maxRequestBytes (at least one file each), in order.
        var batches = [[Int]](), current = [Int](), bytes = 0
        for i in pending {
            let size = (try? FileManager.default.attributesOfItem(atPath: state.instances[i].url.path)[.size] as? Int) ?? 0
            if !current.isEmpty, bytes + size > options.maxRequestBytes {
                batches.append(current)
                current = []
                bytes = 0
            }
            current.append(i)
            bytes += size
        }
        if !current.isEmpty { batches.append(current) }
        for batch in batches {
            if !stowBatch(&state, batch, endpoint: endpoint) { return }
        }
    }

    /// Sends one request; false when the peer is unreachable or refused everything (stop the round).
    private func stowBatch(_ state: inout State, _ batch: [Int], endpoint: URL) -> Bool {
        var parts = [Data](), members = [Int]()
        for i in batch {
            do {
                parts.append(try Data(contentsOf: state.instances[i].url))
                members.append(i)
            } catch {
                state.fail(i, status: "not sent", reason: "cannot read the file: \(error.localizedDescription)", retryable: false)
            }
        }
        guard !members.isEmpty else { return true }
        let boundary = "mri-daps-" + UUID().uuidString
        let body = DICOMWebSTOW.multipartBody(parts: parts, boundary: boundary)
        for i in members { state.instances[i].attempts += 1 }
        let exchange: DICOMWebSTOW.Exchange
        do {
            exchange = try DICOMWebSTOW.post(body, to: endpoint, contentType: DICOMWebSTOW.contentType(boundary: boundary),
                                             user: destination.user, password: destination.password,
                                             caFile: options.caFile, timeout: options.timeout)
        } catch let e as DICOMWebSTOW.TransportError {
            for i in members { state.fail(i, status: "no response", reason: e.message, retryable: !e.permanent) }
            if e.permanent { state.fatal = e.message } else { state.lastTransportError = e.message }
            return false
        } catch {
            for i in members { state.fail(i, status: "no response", reason: "\(error)", retryable: true) }
            state.lastTransportError = "\(error)"
            return false
        }
        state.contacted = true
        let code = exchange.status
        let http = "HTTP \(code)"
        switch code {
        case 401, 403:
            state.fatal = "\(http) \(DICOMWebSTOW.phrase(code)): check the credentials"
        case 404, 405:
            state.fatal = "\(http) \(DICOMWebSTOW.phrase(code)): no STOW-RS service at \(endpoint.absoluteString)"
        default: break
        }
        if let fatal = state.fatal {
            for i in members { state.fail(i, status: http, reason: fatal, retryable: false) }
            return false
        }
        let response = DICOMWebSTOW.parseResponse(exchange.body)
        let transientHTTP = code >= 500 || code == 408 || code == 429
        // A request refused as a whole (no per-instance answer) with several parts: find the culprit(s)
        // by sending each part alone.
        if response == nil, !(200..<300).contains(code), !transientHTTP, members.count > 1 {
            for i in members { state.instances[i].attempts -= 1 }
            for i in members where !stowBatch(&state, [i], endpoint: endpoint) { return false }
            return true
        }
        for i in members {
            let uid = state.instances[i].sopInstance
            if let reason = response?.failed[uid] {
                state.fail(i, status: "\(http), FailureReason \(Self.hex(reason))",
                           reason: "refused: \(Self.hex(reason)) \(Self.meaning(reason))", retryable: Self.isTransient(reason))
            } else if response?.stored.contains(uid) == true || code == 200 {
                state.store(i, status: http, warning: nil)
            } else if transientHTTP {
                state.fail(i, status: http, reason: "\(http) \(DICOMWebSTOW.phrase(code))", retryable: true)
            } else {
                // The body is quoted only when it is not DICOM JSON (e.g. a plain-text error).
                let body = response != nil ? "" : String(decoding: exchange.body.prefix(200), as: UTF8.self)
                    .replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
                state.fail(i, status: http,
                           reason: "\(http) \(DICOMWebSTOW.phrase(code)): not acknowledged in the STOW-RS response" + (body.isEmpty ? "" : " (\(body))"),
                           retryable: false)
            }
        }
        return true
    }
}
