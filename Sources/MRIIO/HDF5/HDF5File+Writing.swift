import CHDF5
import Foundation
import MRICore

/// Creating and writing datasets (see `HDF5File`).
extension HDF5File {
    // MARK: - Writing datasets

    /// Element types `createDataset` can write.
    public enum WritableType: Sendable {
        /// Little-endian IEEE float32.
        case float32
        /// h5py complex64: compound `{"r": float32, "i": float32}`, 8 bytes.
        case complex64
        /// h5py bool: enum over int8 with FALSE = 0, TRUE = 1.
        case boolean
        /// Unsigned 8-bit integer.
        case uint8
    }

    /// Creates a (contiguous) dataset of the given shape, filled with zeros.
    public func createDataset(_ name: String, shape: [Int], type: WritableType) throws {
        try locked("create dataset \(name)") {
            let ft = fileType(type)
            defer { H5Tclose(ft) }
            var dims = shape.map { hsize_t($0) }
            let s = H5Screate_simple(Int32(shape.count), &dims, nil)
            guard s >= 0 else { throw hdf5Error("create dataset \(name)") }
            defer { H5Sclose(s) }
            let d = H5Dcreate2(fileID, name, ft, s, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
            guard d >= 0 else { throw hdf5Error("create dataset \(name)") }
            H5Dclose(d)
        }
    }

    /// Writes `values` into the hyperslab of a complex64 dataset starting at `start`
    /// (the extent is `values.shape`, padded with leading 1s to the dataset's rank).
    public func writeComplex(_ name: String, _ values: ComplexArray, start: [Int]? = nil) throws {
        try locked("write dataset \(name)") {
            let mt = complexMemoryType()
            defer { H5Tclose(mt) }
            try writeBuffer(name, shape: values.shape, start: start, memoryType: mt) { buf in
                values.storage.withUnsafeBytes { buf($0.baseAddress) }
            }
        }
    }

    /// Writes float32 `values` into the hyperslab of a float32 dataset starting at `start`.
    public func writeFloat(_ name: String, _ values: FloatArray, start: [Int]? = nil) throws {
        try locked("write dataset \(name)") {
            try writeBuffer(name, shape: values.shape, start: start, memoryType: chdf5_native_float()) { buf in
                values.storage.withUnsafeBytes { buf($0.baseAddress) }
            }
        }
    }

    /// Writes a whole 1-D bool (h5py enum) or uint8 dataset; it must have been created with
    /// `.boolean` or `.uint8`.
    public func writeBytes(_ name: String, _ values: [UInt8], shape: [Int]? = nil) throws {
        try locked("write dataset \(name)") {
            let d = try openDataset(name)
            let ft = H5Dget_type(d)
            defer { H5Tclose(ft) }
            H5Dclose(d)
            let mt = H5Tget_native_type(ft, H5T_DIR_ASCEND)
            defer { H5Tclose(mt) }
            try writeBuffer(name, shape: shape ?? [values.count], start: nil, memoryType: mt) { buf in
                values.withUnsafeBytes { buf($0.baseAddress) }
            }
        }
    }

    /// Writes a scalar fixed-length ASCII string dataset (NumPy `bytes_`; h5py returns `bytes`),
    /// the way fastMRI stores `ismrmrd_header`.
    public func writeString(_ name: String, _ value: String) throws {
        try locked("write dataset \(name)") {
            let bytes = Array(value.utf8)
            let t = H5Tcopy(chdf5_c_s1())
            defer { H5Tclose(t) }
            H5Tset_size(t, max(1, bytes.count))
            H5Tset_strpad(t, H5T_STR_NULLPAD)
            let s = H5Screate(H5S_SCALAR)
            defer { H5Sclose(s) }
            let d = H5Dcreate2(fileID, name, t, s, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
            guard d >= 0 else { throw hdf5Error("create dataset \(name)") }
            defer { H5Dclose(d) }
            var padded = bytes
            if padded.isEmpty { padded = [0] }
            let st = padded.withUnsafeBytes {
                H5Dwrite(d, t, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
            }
            try check(st, "write dataset \(name)")
        }
    }
}
