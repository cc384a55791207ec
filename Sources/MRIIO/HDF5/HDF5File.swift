import CHDF5
import Foundation
import MRICore

/// Serialises all HDF5 calls: Debian's libhdf5 (serial) is not thread-safe, and Swift Testing
/// and the pipeline may touch several files from several threads.
enum HDF5Library {
    /// The lock, made once (lazily, thread-safe) after turning off libhdf5's automatic error
    /// printing: mri-daps reports HDF5 errors itself, in one line.
    private static let lock: NSRecursiveLock = {
        chdf5_silence_errors()
        return NSRecursiveLock()
    }()

    /// Runs `body` while holding the global HDF5 lock.
    static func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

/// A small wrapper over the HDF5 C API for the files mri-daps reads and writes.
///
/// Supports: opening read-only or creating a file; listing the root group; dataset shape and
/// type inspection; reading a hyperslab of a float/integer or complex dataset; creating and
/// writing float32, complex64 (h5py's compound `{"r": float32, "i": float32}`), bool (h5py's
/// int8 enum FALSE/TRUE) and fixed-length string datasets; reading and writing scalar string,
/// integer and real attributes. Every HDF5 handle opened by a method is closed before it
/// returns; the file handle itself is closed by `close()` or on deinit. All calls hold a global
/// lock because the serial HDF5 library is not thread-safe. Every failure is an `MRIIOError`
/// naming the file.
public final class HDF5File {
    /// Path of the file, used in every error.
    public let path: String
    private(set) var fileID: hid_t

    /// Opens an existing file read-only.
    /// - Throws: `MRIIOError.notFound`, `.isDirectory`, `.notReadable` (the system's reason),
    ///   `.notHDF5` (no HDF5 signature), `.cannotOpen` with HDF5's own reason otherwise
    ///   (truncated, locked by another process, corrupt superblock).
    public init(readingFrom url: URL) throws {
        path = url.path
        try InputFile.checkReadable(path)
        let p = path
        var reason = ""
        fileID = HDF5Library.locked {
            let id = H5Fopen(p, chdf5_f_acc_rdonly(), chdf5_p_default())
            if id < 0 { reason = Self.lastErrorDescription() }
            return id
        }
        if fileID < 0 {
            if reason.isEmpty || reason.contains("signature") { throw MRIIOError.notHDF5(file: path) }
            throw MRIIOError.cannotOpen(file: path, reason: Self.explain(reason))
        }
    }

    /// HDF5's description of the innermost error on its stack (call while holding the lock).
    static func lastErrorDescription() -> String {
        var buf = [CChar](repeating: 0, count: 512)
        chdf5_last_error(&buf, buf.count)
        return string(fromNulTerminated: buf)
    }

    /// HDF5's reason, prefixed with what it means for the user where that is not obvious; a
    /// system call's failure is reduced to the system's message (e.g. "No space left on device").
    static func explain(_ reason: String) -> String {
        if reason.hasPrefix("truncated file") { return "truncated or incompletely copied HDF5 file (\(reason))" }
        if reason.contains("lock") { return "locked by another process (\(reason)); HDF5_USE_FILE_LOCKING=FALSE disables the lock" }
        if let r = reason.range(of: "error message = '"), let end = reason[r.upperBound...].firstIndex(of: "'") {
            return String(reason[r.upperBound..<end])
        }
        return reason
    }

    /// Creates a new file. With `truncate == false` an existing file is an error
    /// (`MRIIOError.exists`); with `true` it is replaced.
    public init(creating url: URL, truncate: Bool = false) throws {
        path = url.path
        if !truncate && FileManager.default.fileExists(atPath: path) { throw MRIIOError.exists(file: path) }
        let p = path
        let flags = truncate ? chdf5_f_acc_trunc() : chdf5_f_acc_excl()
        fileID = HDF5Library.locked { H5Fcreate(p, flags, chdf5_p_default(), chdf5_p_default()) }
        if fileID < 0 {
            let reason = HDF5Library.locked { Self.lastErrorDescription() }
            throw MRIIOError.writeFailed(file: path, reason: reason.isEmpty ? "cannot create HDF5 file" : reason)
        }
    }

    deinit { close() }

    /// Closes the file (idempotent). Data written so far is flushed.
    public func close() {
        guard fileID >= 0 else { return }
        let id = fileID
        HDF5Library.locked { _ = H5Fclose(id) }
        fileID = -1
    }

    /// Flushes buffered writes to disk.
    public func flush() throws {
        try locked("flush") { try check(H5Fflush(fileID, H5F_SCOPE_GLOBAL), "flush") }
    }

    // MARK: - Structure

    /// True when a link called `name` exists in the root group (e.g. "kspace").
    public func contains(_ name: String) -> Bool {
        guard fileID >= 0 else { return false }
        return HDF5Library.locked { H5Lexists(fileID, name, chdf5_p_default()) > 0 }
    }

    /// Names of the links in the root group, in name order.
    public func rootNames() throws -> [String] {
        try locked("list root group") {
            let n = chdf5_link_count(fileID)
            guard n >= 0 else { throw hdf5Error("list root group") }
            var names = [String]()
            for i in 0..<n {
                let len = H5Lget_name_by_idx(fileID, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), nil, 0, chdf5_p_default())
                guard len >= 0 else { throw hdf5Error("list root group") }
                var buf = [CChar](repeating: 0, count: Int(len) + 1)
                _ = H5Lget_name_by_idx(fileID, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), &buf, buf.count, chdf5_p_default())
                names.append(Self.string(fromNulTerminated: buf))
            }
            return names
        }
    }

    /// Shape and element type of a dataset.
    /// - Throws: `MRIIOError.missingDataset` when absent.
    public func datasetInfo(_ name: String) throws -> HDF5DatasetInfo {
        try locked("inspect dataset \(name)") {
            let d = try openDataset(name)
            defer { H5Dclose(d) }
            let s = H5Dget_space(d)
            guard s >= 0 else { throw hdf5Error("inspect dataset \(name)") }
            defer { H5Sclose(s) }
            let t = H5Dget_type(d)
            guard t >= 0 else { throw hdf5Error("inspect dataset \(name)") }
            defer { H5Tclose(t) }
            return HDF5DatasetInfo(shape: try dims(s, name), type: classify(t))
        }
    }

    // MARK: - Private helpers (call only while holding the lock)

    func locked<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        guard fileID >= 0 else { throw MRIIOError.hdf5(file: path, operation: "\(operation) (file is closed)") }
        return try HDF5Library.locked(body)
    }

    static func string(fromNulTerminated buf: [CChar]) -> String {
        let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The failed operation with HDF5's reason (e.g. the system's "No space left on device").
    func hdf5Error(_ operation: String) -> MRIIOError {
        let reason = Self.lastErrorDescription()
        return .hdf5(file: path, operation: reason.isEmpty ? operation : "\(operation): \(Self.explain(reason))")
    }

    func check(_ status: herr_t, _ operation: String) throws {
        if status < 0 { throw hdf5Error(operation) }
    }

    func openDataset(_ name: String) throws -> hid_t {
        guard H5Lexists(fileID, name, chdf5_p_default()) > 0 else {
            throw MRIIOError.missingDataset(file: path, dataset: name)
        }
        let d = H5Dopen2(fileID, name, chdf5_p_default())
        guard d >= 0 else { throw MRIIOError.wrongType(file: path, dataset: name, expected: "a dataset") }
        return d
    }

    func dims(_ space: hid_t, _ name: String) throws -> [Int] {
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else { throw hdf5Error("inspect dataset \(name)") }
        var d = [hsize_t](repeating: 0, count: Int(rank))
        if rank > 0 { _ = H5Sget_simple_extent_dims(space, &d, nil) }
        guard d.allSatisfy({ $0 <= hsize_t(Int32.max) }) else {
            throw MRIIOError.wrongShape(file: path, dataset: name, expected: "extents below 2^31", actual: d.map { Int(clamping: $0) })
        }
        return d.map { Int($0) }
    }

    func classify(_ t: hid_t) -> HDF5ElementType {
        let size = H5Tget_size(t)
        switch H5Tget_class(t) {
        case H5T_FLOAT:
            return size == 4 ? .float32 : size == 8 ? .float64 : .other("float\(size * 8)")
        case H5T_INTEGER:
            return .integer(bytes: size, signed: H5Tget_sign(t) == H5T_SGN_2)
        case H5T_STRING:
            return .string
        case H5T_ENUM:
            guard size == 1 else { return .other("enum") }
            var names = Set<String>()
            for i in 0..<max(0, H5Tget_nmembers(t)) {
                if let c = H5Tget_member_name(t, UInt32(i)) {
                    names.insert(String(cString: c))
                    H5free_memory(c)
                }
            }
            return names == ["FALSE", "TRUE"] ? .boolean : .enumeration
        case H5T_COMPOUND:
            guard H5Tget_nmembers(t) == 2 else { return .other("compound") }
            var names = [String]()
            var sizes = [Int]()
            var ends = [Int]()
            for i in 0..<UInt32(2) {
                if let c = H5Tget_member_name(t, i) {
                    names.append(String(cString: c))
                    H5free_memory(c)
                }
                let mt = H5Tget_member_type(t, i)
                if H5Tget_class(mt) == H5T_FLOAT { sizes.append(H5Tget_size(mt)) }
                let (end, o) = H5Tget_member_offset(t, i).addingReportingOverflow(H5Tget_size(mt))
                ends.append(o ? .max : end)
                H5Tclose(mt)
            }
            // A member lying outside the compound (a corrupt file) makes libhdf5's conversion
            // read out of bounds (SIGSEGV in H5T__conv_struct_opt): such a type is not complex.
            guard names == ["r", "i"], sizes.count == 2, sizes[0] == sizes[1], ends.allSatisfy({ $0 <= size }) else {
                return .other("compound")
            }
            return sizes[0] == 4 ? .complex64 : sizes[0] == 8 ? .complex128 : .other("compound")
        default:
            return .other("HDF5 class \(H5Tget_class(t).rawValue)")
        }
    }

    /// Memory type matching `ComplexFloat`: `{r: native float at 0, i: native float at 4}`.
    func complexMemoryType() -> hid_t {
        let t = H5Tcreate(H5T_COMPOUND, 8)
        H5Tinsert(t, "r", 0, chdf5_native_float())
        H5Tinsert(t, "i", 4, chdf5_native_float())
        return t
    }

    func fileType(_ type: WritableType) -> hid_t {
        switch type {
        case .float32:
            return H5Tcopy(chdf5_ieee_f32le())
        case .complex64:
            let t = H5Tcreate(H5T_COMPOUND, 8)
            H5Tinsert(t, "r", 0, chdf5_ieee_f32le())
            H5Tinsert(t, "i", 4, chdf5_ieee_f32le())
            return t
        case .boolean:
            let t = H5Tenum_create(chdf5_native_int8())
            var f: Int8 = 0
            var tr: Int8 = 1
            H5Tenum_insert(t, "FALSE", &f)
            H5Tenum_insert(t, "TRUE", &tr)
            return t
        case .uint8:
            return H5Tcopy(chdf5_std_u8le())
        }
    }

    /// File and memory dataspaces for a hyperslab; returns the selected shape.
    func selection(_ d: hid_t, _ name: String, start: [Int]?, count: [Int]?) throws -> (hid_t, hid_t, [Int]) {
        let fs = H5Dget_space(d)
        guard fs >= 0 else { throw hdf5Error("read dataset \(name)") }
        let full = try dims(fs, name)
        let st = start ?? [Int](repeating: 0, count: full.count)
        let ct = count ?? zip(full, st).map { $0 - $1 }
        guard st.count == full.count, ct.count == full.count,
            zip(zip(st, ct), full).allSatisfy({ $0.0 >= 0 && $0.1 >= 0 && $0.0 + $0.1 <= $1 })
        else {
            H5Sclose(fs)
            throw MRIIOError.wrongShape(
                file: path, dataset: name, expected: "a hyperslab start \(st) count \(ct) inside it", actual: full)
        }
        if !full.isEmpty && ct.reduce(1, *) > 0 {
            var s = st.map { hsize_t($0) }
            var c = ct.map { hsize_t($0) }
            if H5Sselect_hyperslab(fs, H5S_SELECT_SET, &s, nil, &c, nil) < 0 {
                H5Sclose(fs)
                throw hdf5Error("select hyperslab of \(name)")
            }
        }
        var mdims = ct.map { hsize_t($0) }
        let ms = full.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(ct.count), &mdims, nil)
        guard ms >= 0 else {
            H5Sclose(fs)
            throw hdf5Error("read dataset \(name)")
        }
        return (fs, ms, ct)
    }

    func writeBuffer(
        _ name: String, shape: [Int], start: [Int]?, memoryType: hid_t,
        _ withBuffer: ((UnsafeRawPointer?) -> herr_t) -> herr_t
    ) throws {
        let d = try openDataset(name)
        defer { H5Dclose(d) }
        let fs = H5Dget_space(d)
        defer { H5Sclose(fs) }
        let full = try dims(fs, name)
        guard shape.count <= full.count else {
            throw MRIIOError.wrongShape(file: path, dataset: name, expected: "rank ≤ \(full.count)", actual: shape)
        }
        let count = [Int](repeating: 1, count: full.count - shape.count) + shape
        let st = start ?? [Int](repeating: 0, count: full.count)
        guard st.count == full.count, zip(zip(st, count), full).allSatisfy({ $0.0 >= 0 && $0.0 + $0.1 <= $1 }) else {
            throw MRIIOError.wrongShape(
                file: path, dataset: name, expected: "a block \(shape) at \(st) inside the dataset", actual: full)
        }
        guard count.reduce(1, *) > 0 else { return }
        var s = st.map { hsize_t($0) }
        var c = count.map { hsize_t($0) }
        try check(H5Sselect_hyperslab(fs, H5S_SELECT_SET, &s, nil, &c, nil), "select hyperslab of \(name)")
        let ms = H5Screate_simple(Int32(c.count), &c, nil)
        defer { H5Sclose(ms) }
        let status = withBuffer { H5Dwrite(d, memoryType, ms, fs, chdf5_p_default(), $0) }
        try check(status, "write dataset \(name)")
    }

    func readAttribute(_ a: hid_t, _ name: String) throws -> HDF5AttributeValue? {
        let t = H5Aget_type(a)
        defer { H5Tclose(t) }
        let s = H5Aget_space(a)
        defer { H5Sclose(s) }
        guard H5Sget_simple_extent_npoints(s) == 1 else { return nil }
        switch H5Tget_class(t) {
        case H5T_STRING:
            let text = try readScalarString(type: t, space: s, what: "read attribute \(name)") { mt, buf in
                H5Aread(a, mt, buf)
            }
            return .string(text)
        case H5T_INTEGER:
            var v: Int64 = 0
            try check(H5Aread(a, chdf5_native_int64(), &v), "read attribute \(name)")
            return .integer(v)
        case H5T_FLOAT:
            var v: Double = 0
            try check(H5Aread(a, chdf5_native_double(), &v), "read attribute \(name)")
            return .real(v)
        default:
            return nil
        }
    }

    func readScalarString(
        type t: hid_t, space s: hid_t, what: String, _ read: (hid_t, UnsafeMutableRawPointer?) -> herr_t
    ) throws -> String {
        let mt = H5Tcopy(chdf5_c_s1())
        defer { H5Tclose(mt) }
        H5Tset_cset(mt, H5Tget_cset(t))
        if H5Tis_variable_str(t) > 0 {
            H5Tset_size(mt, chdf5_variable())
            var p: UnsafeMutablePointer<CChar>? = nil
            try check(read(mt, &p), what)
            defer { _ = H5Dvlen_reclaim(mt, s, chdf5_p_default(), &p) }
            return p.map { String(cString: $0) } ?? ""
        }
        let n = H5Tget_size(t)
        H5Tset_size(mt, n)
        H5Tset_strpad(mt, H5T_STR_NULLPAD)
        var buf = [UInt8](repeating: 0, count: n + 1)
        try check(buf.withUnsafeMutableBytes { read(mt, $0.baseAddress) }, what)
        let end = buf.firstIndex(of: 0) ?? n
        return String(decoding: buf[..<end], as: UTF8.self)
    }
}
