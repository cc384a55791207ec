import MRICore

/// Centre crop and its inverse, zero-padding, over the trailing two axes `[..., H, W]`
/// (fastMRI `transforms.center_crop` / `complex_center_crop`).
///
/// Crop to (h, w): rows `(H − h)//2 ..< (H − h)//2 + h`, likewise columns. Zero-padding to
/// (H, W) places the input at the same offsets, so `crop(zeroPad(x, H, W), h, w) == x`.
/// Works on k-space, coil images, magnitude images and volumes; leading axes are a batch.
public enum CenterCrop {
    /// The centre `height × width` window of every trailing plane of `x`.
    public static func crop(_ x: ComplexArray, height: Int, width: Int) throws -> ComplexArray {
        let (outShape, h0, w0) = try cropGeometry(x.shape, height, width, what: "CenterCrop.crop")
        let s = copyWindow(x.storage, shape: x.shape, outShape: outShape, h0: h0, w0: w0, zero: ComplexFloat.zero, pad: false)
        return ComplexArray(shape: outShape, storage: s)
    }

    /// The centre `height × width` window of every trailing plane of a real array.
    public static func crop(_ x: FloatArray, height: Int, width: Int) throws -> FloatArray {
        let (outShape, h0, w0) = try cropGeometry(x.shape, height, width, what: "CenterCrop.crop")
        let s = copyWindow(x.storage, shape: x.shape, outShape: outShape, h0: h0, w0: w0, zero: Float(0), pad: false)
        return FloatArray(shape: outShape, storage: s)
    }

    /// Crops only the phase-encode axis W to `width` (rows unchanged).
    public static func cropPhaseEncode(_ x: ComplexArray, width: Int) throws -> ComplexArray {
        guard x.shape.count >= 2 else {
            throw AcquisitionError.shapeMismatch(what: "CenterCrop.cropPhaseEncode", expected: "[..., H, W]", actual: x.shape)
        }
        return try crop(x, height: x.shape[x.shape.count - 2], width: width)
    }

    /// Embeds every trailing plane of `x` at the centre of a zero `height × width` plane.
    public static func zeroPad(_ x: ComplexArray, height: Int, width: Int) throws -> ComplexArray {
        let (outShape, h0, w0) = try padGeometry(x.shape, height, width)
        let s = copyWindow(x.storage, shape: x.shape, outShape: outShape, h0: h0, w0: w0, zero: ComplexFloat.zero, pad: true)
        return ComplexArray(shape: outShape, storage: s)
    }

    /// Real-valued zero-padding, as for `ComplexArray`.
    public static func zeroPad(_ x: FloatArray, height: Int, width: Int) throws -> FloatArray {
        let (outShape, h0, w0) = try padGeometry(x.shape, height, width)
        let s = copyWindow(x.storage, shape: x.shape, outShape: outShape, h0: h0, w0: w0, zero: Float(0), pad: true)
        return FloatArray(shape: outShape, storage: s)
    }

    // MARK: - Geometry

    private static func cropGeometry(_ shape: [Int], _ h: Int, _ w: Int, what: String) throws -> ([Int], Int, Int) {
        guard shape.count >= 2 else {
            throw AcquisitionError.shapeMismatch(what: what, expected: "[..., H, W]", actual: shape)
        }
        let sh = shape[shape.count - 2], sw = shape[shape.count - 1]
        guard h >= 1, w >= 1, h <= sh, w <= sw else {
            throw AcquisitionError.invalidParameter(name: "crop size", value: "\(h)×\(w)",
                                                    reason: "must be between 1×1 and the input's \(sh)×\(sw)")
        }
        return (Array(shape.dropLast(2)) + [h, w], (sh - h) / 2, (sw - w) / 2)
    }

    private static func padGeometry(_ shape: [Int], _ h: Int, _ w: Int) throws -> ([Int], Int, Int) {
        guard shape.count >= 2 else {
            throw AcquisitionError.shapeMismatch(what: "CenterCrop.zeroPad", expected: "[..., H, W]", actual: shape)
        }
        let sh = shape[shape.count - 2], sw = shape[shape.count - 1]
        guard h >= sh, w >= sw else {
            throw AcquisitionError.invalidParameter(name: "padded size", value: "\(h)×\(w)",
                                                    reason: "must be at least the input's \(sh)×\(sw)")
        }
        return (Array(shape.dropLast(2)) + [h, w], (h - sh) / 2, (w - sw) / 2)
    }

    /// Copies rows between the large and the small plane. `pad == false`: small = large[h0.., w0..];
    /// `pad == true`: large[h0.., w0..] = small (input is the small array).
    private static func copyWindow<T>(_ src: [T], shape: [Int], outShape: [Int], h0: Int, w0: Int, zero: T, pad: Bool) -> [T] {
        let inH = shape[shape.count - 2], inW = shape[shape.count - 1]
        let outH = outShape[outShape.count - 2], outW = outShape[outShape.count - 1]
        let batch = inH * inW == 0 ? 0 : src.count / (inH * inW)
        var dst = [T](repeating: zero, count: batch * outH * outW)
        let rows = pad ? inH : outH, cols = pad ? inW : outW
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                for b in 0..<batch {
                    for i in 0..<rows {
                        let si = pad ? i : i + h0, di = pad ? i + h0 : i
                        let sj = pad ? 0 : w0, dj = pad ? w0 : 0
                        let sp = s.baseAddress! + b * inH * inW + si * inW + sj
                        let dp = d.baseAddress! + b * outH * outW + di * outW + dj
                        dp.update(from: sp, count: cols)
                    }
                }
            }
        }
        return dst
    }
}
