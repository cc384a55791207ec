import CHDF5
import Foundation
import MRICore

/// Reading datasets, whole or as a hyperslab (see `HDF5File`).
extension HDF5File {
    // MARK: - Reading datasets

    /// Reads a hyperslab `start ..< start + count` (per axis) of a complex dataset
    /// (complex64, or complex128 converted to single precision) as a row-major array of
    /// shape `count`. Only the selected elements are read from disk.
    public func readComplex(_ name: String, start: [Int]? = nil, count: [Int]? = nil) throws -> ComplexArray {
        try locked("read dataset \(name)") {
            let d = try openDataset(name)
            defer { H5Dclose(d) }
            let ft = H5Dget_type(d)
            defer { H5Tclose(ft) }
            guard classify(ft).isComplex else {
                throw MRIIOError.wrongType(file: path, dataset: name, expected: "complex64")
            }
            let mt = complexMemoryType()
            defer { H5Tclose(mt) }
            let (fs, ms, shape) = try selection(d, name, start: start, count: count)
            defer { H5Sclose(fs); H5Sclose(ms) }
            var out = ComplexArray(zeros: shape)
            if out.count > 0 {
                let st = out.withUnsafeMutableBufferPointer { H5Dread(d, mt, ms, fs, chdf5_p_default(), $0.baseAddress) }
                try check(st, "read dataset \(name)")
            }
            return out
        }
    }

    /// Reads a hyperslab of a real dataset (float, integer, or h5py bool/enum) converted to
    /// float32, as a row-major array of shape `count` (the whole dataset by default).
    public func readFloat(_ name: String, start: [Int]? = nil, count: [Int]? = nil) throws -> FloatArray {
        try locked("read dataset \(name)") {
            let d = try openDataset(name)
            defer { H5Dclose(d) }
            let ft = H5Dget_type(d)
            defer { H5Tclose(ft) }
            let kind = classify(ft)
            guard kind.isRealNumeric else {
                throw MRIIOError.wrongType(file: path, dataset: name, expected: "a real number type")
            }
            let (fs, ms, shape) = try selection(d, name, start: start, count: count)
            defer { H5Sclose(fs); H5Sclose(ms) }
            var out = FloatArray(zeros: shape)
            guard out.count > 0 else { return out }
            if kind == .boolean || kind == .enumeration {
                // HDF5 converts enums only to enums: read the one-byte integer codes.
                guard H5Tget_size(ft) == 1 else {
                    throw MRIIOError.wrongType(file: path, dataset: name, expected: "a one-byte enum")
                }
                let base = H5Tget_super(ft)
                defer { H5Tclose(base) }
                let signed = H5Tget_sign(base) == H5T_SGN_2
                let mt = H5Tget_native_type(ft, H5T_DIR_ASCEND)
                defer { H5Tclose(mt) }
                var codes = [UInt8](repeating: 0, count: out.count)
                let st = codes.withUnsafeMutableBytes { H5Dread(d, mt, ms, fs, chdf5_p_default(), $0.baseAddress) }
                try check(st, "read dataset \(name)")
                out = FloatArray(shape: out.shape, storage: codes.map { signed ? Float(Int8(bitPattern: $0)) : Float($0) })
            } else {
                let st = out.withUnsafeMutableBufferPointer {
                    H5Dread(d, chdf5_native_float(), ms, fs, chdf5_p_default(), $0.baseAddress)
                }
                try check(st, "read dataset \(name)")
            }
            return out
        }
    }

    /// Reads a scalar string dataset (fixed- or variable-length), e.g. `ismrmrd_header`.
    /// Trailing NUL padding is removed.
    public func readString(_ name: String) throws -> String {
        try locked("read dataset \(name)") {
            let d = try openDataset(name)
            defer { H5Dclose(d) }
            let ft = H5Dget_type(d)
            defer { H5Tclose(ft) }
            let s = H5Dget_space(d)
            defer { H5Sclose(s) }
            guard H5Tget_class(ft) == H5T_STRING else {
                throw MRIIOError.wrongType(file: path, dataset: name, expected: "string")
            }
            guard H5Sget_simple_extent_npoints(s) == 1 else {
                throw MRIIOError.wrongShape(file: path, dataset: name, expected: "a scalar", actual: try dims(s, name))
            }
            return try readScalarString(type: ft, space: s, what: "read dataset \(name)") { mt, buf in
                H5Dread(d, mt, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), buf)
            }
        }
    }
}
