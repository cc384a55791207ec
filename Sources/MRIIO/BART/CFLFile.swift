import Foundation
import MRICore

/// A BART array stored as a `.cfl` / `.hdr` pair (mrirecon/bart `src/misc/mmio.c`).
///
/// The `.hdr` is text: a `# Dimensions` line followed by a line of dimensions (BART writes 16,
/// trailing 1s; other `#` sections may follow and are ignored). The `.cfl` is raw little-endian
/// complex64, column-major: dimension 0 varies fastest, so element `(i0, i1, …)` sits at
/// `i0 + d0·(i1 + d1·(i2 + …))`.
///
/// Convention in mri-daps: `dimensions` lists BART dims in BART order (dim 0 first, trailing
/// 1s dropped, at least one entry) and `storage` holds the elements in the file's
/// column-major order. `array` views the same storage as a row-major `ComplexArray` whose
/// shape is `dimensions` reversed (no copy of the ordering). BART dims: 0 readout, 1 phase 1,
/// 2 phase 2, 3 coil; a fastMRI slice `[coils, H, W]` is BART `(H, W, 1, coils)` and an image
/// `[H, W]` is BART `(H, W)`; use `init(slice:)`/`slice()` and `init(image:)`/`image()`.
public struct CFLFile: Sendable, Equatable {
    /// BART dimensions (dim 0 fastest), trailing 1s removed, at least one entry.
    public private(set) var dimensions: [Int]
    /// Elements in column-major (file) order; `count == dimensions.reduce(1, *)`.
    public var storage: [ComplexFloat]

    /// Wraps column-major `storage` with BART `dimensions` (up to 16; trailing 1s are dropped).
    public init(dimensions: [Int], storage: [ComplexFloat]) {
        precondition(dimensions.count <= 16 && dimensions.allSatisfy { $0 >= 1 }, "BART dims \(dimensions)")
        precondition(storage.count == dimensions.reduce(1, *), "storage \(storage.count) ≠ dims \(dimensions)")
        self.dimensions = Self.trimmed(dimensions)
        self.storage = storage
    }

    /// The data as a row-major array of shape `dimensions.reversed()` (same element order).
    public var array: ComplexArray { ComplexArray(shape: dimensions.reversed(), storage: storage) }

    // MARK: - fastMRI conversions

    /// A fastMRI k-space or coil-image slice `[coils, H, W]` as BART `(H, W, 1, coils)`.
    public init(slice: ComplexArray) {
        precondition(slice.rank == 3, "slice must be [coils, H, W], got \(slice.shape)")
        let (c, h, w) = (slice.shape[0], slice.shape[1], slice.shape[2])
        self.init(dimensions: [h, w, 1, c], storage: Self.transposeLastTwo(slice.storage, batches: c, rows: h, columns: w))
    }

    /// An image `[H, W]` as BART `(H, W)`.
    public init(image: ComplexArray) {
        precondition(image.rank == 2, "image must be [H, W], got \(image.shape)")
        let (h, w) = (image.shape[0], image.shape[1])
        self.init(dimensions: [h, w], storage: Self.transposeLastTwo(image.storage, batches: 1, rows: h, columns: w))
    }

    /// The BART `(H, W, 1, coils)` array as a fastMRI slice `[coils, H, W]`.
    /// - Throws: `MRIIOError.wrongShape` when dimension 2 or any beyond 3 is not 1.
    public func slice(file: String = "cfl") throws -> ComplexArray {
        let d = padded(4)
        guard d.count == 4, d[2] == 1 else {
            throw MRIIOError.wrongShape(file: file, dataset: "cfl", expected: "BART (H, W, 1, coils)", actual: dimensions)
        }
        let (h, w, c) = (d[0], d[1], d[3])
        return ComplexArray(shape: [c, h, w], storage: Self.transposeLastTwo(storage, batches: c, rows: w, columns: h))
    }

    /// The BART `(H, W)` array as an image `[H, W]`.
    /// - Throws: `MRIIOError.wrongShape` when any dimension beyond 1 is not 1.
    public func image(file: String = "cfl") throws -> ComplexArray {
        let d = padded(2)
        guard d.count == 2 else {
            throw MRIIOError.wrongShape(file: file, dataset: "cfl", expected: "BART (H, W)", actual: dimensions)
        }
        return ComplexArray(shape: [d[0], d[1]], storage: Self.transposeLastTwo(storage, batches: 1, rows: d[1], columns: d[0]))
    }

    // MARK: - Files

    /// The `.cfl` and `.hdr` URLs for a base name given with or without either extension.
    public static func paths(for url: URL) -> (cfl: URL, hdr: URL) {
        let base = ["cfl", "hdr"].contains(url.pathExtension) ? url.deletingPathExtension() : url
        return (base.appendingPathExtension("cfl"), base.appendingPathExtension("hdr"))
    }

    /// Reads a `.cfl`/`.hdr` pair (`url` with or without extension).
    /// - Throws: `MRIIOError.notFound` (either file missing), `.malformedHeader`, `.truncated`
    ///   when the `.cfl` size differs from `8 · Π dims` bytes.
    public init(contentsOf url: URL) throws {
        let (cfl, hdr) = Self.paths(for: url)
        guard FileManager.default.fileExists(atPath: hdr.path) else { throw MRIIOError.notFound(file: hdr.path) }
        guard FileManager.default.fileExists(atPath: cfl.path) else { throw MRIIOError.notFound(file: cfl.path) }
        let text: String
        do {
            text = String(decoding: try Data(contentsOf: hdr), as: UTF8.self)
        } catch {
            throw MRIIOError.malformedHeader(file: hdr.path, reason: "unreadable (\(error.localizedDescription))")
        }
        let dims = try Self.parseHeader(text, file: hdr.path)
        let count = dims.reduce(1, *)
        let data: Data
        do {
            data = try Data(contentsOf: cfl, options: .mappedIfSafe)
        } catch {
            throw MRIIOError.notFound(file: cfl.path)
        }
        guard data.count == count * 8 else {
            throw MRIIOError.truncated(file: cfl.path, expectedBytes: count * 8, actualBytes: data.count)
        }
        var s = [ComplexFloat](repeating: .zero, count: count)
        s.withUnsafeMutableBytes { dst in data.withUnsafeBytes { dst.copyMemory(from: $0) } }
        #if _endian(big)
            for i in s.indices {
                s[i] = ComplexFloat(Float(bitPattern: s[i].re.bitPattern.byteSwapped), Float(bitPattern: s[i].im.bitPattern.byteSwapped))
            }
        #endif
        self.init(dimensions: dims, storage: s)
    }

    /// Writes the pair `<base>.cfl` / `<base>.hdr` (16 dims in the header, as BART writes).
    /// Each file is written to a temporary file and renamed into place. A BART pair carries no
    /// writer mark, so `overwrite` replaces any existing pair: callers write only into folders
    /// they created (`bench`'s temporary folder).
    /// - Throws: `MRIIOError.exists` when either file exists and `overwrite` is false.
    public func write(to url: URL, overwrite: Bool = false) throws {
        let (cfl, hdr) = Self.paths(for: url)
        if !overwrite {
            for u in [cfl, hdr] where FileManager.default.fileExists(atPath: u.path) { throw MRIIOError.exists(file: u.path) }
        }
        let dims16 = dimensions + [Int](repeating: 1, count: 16 - dimensions.count)
        let header = "# Dimensions\n" + dims16.map(String.init).joined(separator: " ") + " \n"
        #if _endian(big)
            let le = storage.map { ComplexFloat(Float(bitPattern: $0.re.bitPattern.byteSwapped), Float(bitPattern: $0.im.bitPattern.byteSwapped)) }
        #else
            let le = storage
        #endif
        let bytes = le.withUnsafeBytes { Data($0) }
        for (u, d) in [(cfl, bytes), (hdr, Data(header.utf8))] {
            let out = try AtomicOutput(u, overwrite: overwrite, owned: { _ in true })
            do {
                try d.write(to: out.temporary)
            } catch {
                out.discard()
                throw MRIIOError.writeFailed(file: u.path, reason: error.localizedDescription)
            }
            try out.commit()
        }
    }

    /// Parses the dimensions line that follows `# Dimensions`.
    static func parseHeader(_ text: String, file: String) throws -> [Int] {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        guard let i = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "# Dimensions" }) else {
            throw MRIIOError.malformedHeader(file: file, reason: "no '# Dimensions' line")
        }
        guard i + 1 < lines.count else { throw MRIIOError.malformedHeader(file: file, reason: "no dimensions after '# Dimensions'") }
        let fields = lines[i + 1].split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard !fields.isEmpty, fields.count <= 16 else {
            throw MRIIOError.malformedHeader(file: file, reason: "expected 1 to 16 dimensions, got \(fields.count)")
        }
        return try fields.map { f in
            guard let v = Int(f), v >= 1 else {
                throw MRIIOError.malformedHeader(file: file, reason: "dimension '\(f)' is not a positive integer")
            }
            return v
        }
    }

    // MARK: - Private

    private static func trimmed(_ d: [Int]) -> [Int] {
        var d = d
        while d.count > 1 && d.last == 1 { d.removeLast() }
        return d.isEmpty ? [1] : d
    }

    /// `dimensions` padded with 1s to at least `n` entries (longer arrays are returned as is).
    private func padded(_ n: Int) -> [Int] {
        dimensions.count >= n ? dimensions : dimensions + [Int](repeating: 1, count: n - dimensions.count)
    }

    /// For each of `batches` row-major `rows × columns` blocks, returns the `columns × rows` transpose.
    private static func transposeLastTwo(_ src: [ComplexFloat], batches: Int, rows: Int, columns: Int) -> [ComplexFloat] {
        var out = [ComplexFloat](repeating: .zero, count: src.count)
        let n = rows * columns
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                for b in 0..<batches {
                    let base = b * n
                    for r in 0..<rows {
                        for c in 0..<columns { o[base + c * rows + r] = s[base + r * columns + c] }
                    }
                }
            }
        }
        return out
    }
}
