import CHDF5
import Foundation
import MRICore

/// Reading and writing root (or object) attributes (see `HDF5File`).
extension HDF5File {
    // MARK: - Attributes

    /// All scalar string/integer/real attributes of `object` ("/" = the file). Attributes of
    /// other types or with more than one element are skipped.
    public func attributes(of object: String = "/") throws -> [String: HDF5AttributeValue] {
        try locked("read attributes of \(object)") {
            let o = H5Oopen(fileID, object, chdf5_p_default())
            guard o >= 0 else { throw hdf5Error("open object \(object)") }
            defer { H5Oclose(o) }
            let n = chdf5_attribute_count(o)
            guard n >= 0 else { throw hdf5Error("read attributes of \(object)") }
            var result = [String: HDF5AttributeValue]()
            for i in 0..<n {
                let a = H5Aopen_by_idx(o, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), chdf5_p_default(), chdf5_p_default())
                guard a >= 0 else { throw hdf5Error("read attributes of \(object)") }
                defer { H5Aclose(a) }
                let len = H5Aget_name(a, 0, nil)
                var buf = [CChar](repeating: 0, count: Int(max(len, 0)) + 1)
                _ = H5Aget_name(a, buf.count, &buf)
                let name = Self.string(fromNulTerminated: buf)
                if let v = try readAttribute(a, name) { result[name] = v }
            }
            return result
        }
    }

    /// One scalar attribute of `object`, or nil when absent or not a scalar string/number.
    public func attribute(_ name: String, of object: String = "/") throws -> HDF5AttributeValue? {
        try locked("read attribute \(name)") {
            guard H5Aexists_by_name(fileID, object, name, chdf5_p_default()) > 0 else { return nil }
            let a = H5Aopen_by_name(fileID, object, name, chdf5_p_default(), chdf5_p_default())
            guard a >= 0 else { throw hdf5Error("read attribute \(name)") }
            defer { H5Aclose(a) }
            return try readAttribute(a, name)
        }
    }

    /// Writes (or replaces) a scalar attribute on `object`: strings as variable-length UTF-8,
    /// integers as int64 and reals as float64 (what h5py writes for Python str/int/float).
    public func setAttribute(_ name: String, _ value: HDF5AttributeValue, on object: String = "/") throws {
        try locked("write attribute \(name)") {
            if H5Aexists_by_name(fileID, object, name, chdf5_p_default()) > 0 {
                try check(H5Adelete_by_name(fileID, object, name, chdf5_p_default()), "replace attribute \(name)")
            }
            let s = H5Screate(H5S_SCALAR)
            defer { H5Sclose(s) }
            let ft: hid_t
            let mt: hid_t
            switch value {
            case .string:
                ft = H5Tcopy(chdf5_c_s1())
                H5Tset_size(ft, chdf5_variable())
                H5Tset_cset(ft, H5T_CSET_UTF8)
                mt = H5Tcopy(ft)
            case .integer:
                ft = H5Tcopy(chdf5_std_i64le())
                mt = H5Tcopy(chdf5_native_int64())
            case .real:
                ft = H5Tcopy(chdf5_ieee_f64le())
                mt = H5Tcopy(chdf5_native_double())
            }
            defer { H5Tclose(ft); H5Tclose(mt) }
            let a = H5Acreate_by_name(fileID, object, name, ft, s, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
            guard a >= 0 else { throw hdf5Error("write attribute \(name)") }
            defer { H5Aclose(a) }
            let st: herr_t
            switch value {
            case .string(let text):
                st = text.withCString { c -> herr_t in
                    var p: UnsafePointer<CChar>? = c
                    return withUnsafeMutablePointer(to: &p) { H5Awrite(a, mt, $0) }
                }
            case .integer(let i):
                var v = i
                st = H5Awrite(a, mt, &v)
            case .real(let r):
                var v = r
                st = H5Awrite(a, mt, &v)
            }
            try check(st, "write attribute \(name)")
        }
    }
}
