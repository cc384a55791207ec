import MRICore

/// Removes readout oversampling from Cartesian k-space (fastMRI knee: H = 640 is 2×
/// oversampled; the reconstruction FOV is the centre 320 rows).
///
/// For k-space `[..., H, W]`: inverse centred FFT along the readout axis H, keep the centre
/// `outputHeight` rows (start (H − h)//2, fastMRI `center_crop`), forward centred FFT back.
/// Both FFTs are orthonormal, so the image `ifft2c` of the result equals the centre-cropped
/// `ifft2c` image of the input; the mask (a column pattern) is unaffected.
public enum ReadoutOversamplingRemoval {
    /// k-space with `outputHeight` readout samples (default H/2, the usual 2× oversampling).
    public static func apply(_ kspace: ComplexArray, outputHeight: Int? = nil) throws -> ComplexArray {
        let s = kspace.shape
        guard s.count >= 2 else {
            throw AcquisitionError.shapeMismatch(what: "ReadoutOversamplingRemoval", expected: "[..., H, W]", actual: s)
        }
        let h = s[s.count - 2], w = s[s.count - 1]
        let target = outputHeight ?? h / 2
        let hybrid = CenteredFFT.inverse(kspace, axes: .readout)
        let cropped = try CenterCrop.crop(hybrid, height: target, width: w)
        return CenteredFFT.forward(cropped, axes: .readout)
    }
}
