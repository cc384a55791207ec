import Foundation
import MRICore
import Testing
import _TestSupport

/// ImageQualityMetrics against scikit-image 0.19 with fastMRI's `evaluate.py` conventions
/// (`Tests/Fixtures/make_core_fixtures.py`).
@Suite struct ImageQualityMetricsTests {
    struct Reference: Decodable {
        let ssim: Double, psnr: Double, nmse: Double
        let ssimSlice1Range3e4: Double, psnrRange3e4: Double
        let ssim320: Double, psnr320: Double, nmse320: Double
    }

    /// The generator's 320×320 closed form: gt = 1e-4(1 + cos(0.05 i) sin(0.07 j) + 0.3((3i + 5j) mod 13)/13),
    /// pred = gt + 1e-5 cos(0.9 i + 1.3 j + 0.01 i j), each rounded to single precision.
    static func closedForm(_ h: Int, _ w: Int) -> (gt: FloatArray, pred: FloatArray) {
        var gt = FloatArray(zeros: [h, w]), pred = FloatArray(zeros: [h, w])
        for i in 0..<h {
            for j in 0..<w {
                let di = Double(i), dj = Double(j)
                let g = 1e-4 * (1 + cos(0.05 * di) * sin(0.07 * dj) + 0.3 * Double((3 * i + 5 * j) % 13) / 13)
                gt[linear: i * w + j] = Float(g)
                pred[linear: i * w + j] = Float(g + 1e-5 * cos(0.9 * di + 1.3 * dj + 0.01 * di * dj))
            }
        }
        return (gt, pred)
    }

    static func load() throws -> (gt: FloatArray, pred: FloatArray, ref: Reference) {
        let gt = try Fixtures.readFloat32(Fixtures.url("core/metrics_gt_3x40x36.f32"))
        let pred = try Fixtures.readFloat32(Fixtures.url("core/metrics_pred_3x40x36.f32"))
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: Fixtures.url("core/metrics_values.json")))
        return (FloatArray(shape: [3, 40, 36], storage: gt), FloatArray(shape: [3, 40, 36], storage: pred), ref)
    }

    @Test("SSIM (7×7, volume max as data range, mean over slices) matches skimage")
    func ssimMatchesSkimage() throws {
        let (gt, pred, ref) = try Self.load()
        let ssim = ImageQualityMetrics.ssim(target: gt, prediction: pred)
        #expect(abs(ssim - ref.ssim) < 1e-9, "ssim \(ssim) vs skimage \(ref.ssim)")
    }

    @Test("SSIM of one slice with an explicit data range matches skimage")
    func ssimExplicitRange() throws {
        let (gt, pred, ref) = try Self.load()
        let ssim = ImageQualityMetrics.ssim(target: gt.item(1), prediction: pred.item(1), dataRange: 3e-4)
        #expect(abs(ssim - ref.ssimSlice1Range3e4) < 1e-9, "ssim \(ssim) vs skimage \(ref.ssimSlice1Range3e4)")
    }

    @Test("PSNR with data_range = gt.max() and with an explicit range matches skimage")
    func psnrMatchesSkimage() throws {
        let (gt, pred, ref) = try Self.load()
        let psnr = ImageQualityMetrics.psnr(target: gt, prediction: pred)
        #expect(abs(psnr - ref.psnr) < 1e-9, "psnr \(psnr) vs \(ref.psnr)")
        let psnr2 = ImageQualityMetrics.psnr(target: gt, prediction: pred, dataRange: 3e-4)
        #expect(abs(psnr2 - ref.psnrRange3e4) < 1e-9, "psnr \(psnr2) vs \(ref.psnrRange3e4)")
    }

    @Test("NMSE = ‖gt − pred‖²/‖gt‖² matches NumPy")
    func nmseMatchesNumPy() throws {
        let (gt, pred, ref) = try Self.load()
        let nmse = ImageQualityMetrics.nmse(target: gt, prediction: pred)
        #expect(abs(nmse - ref.nmse) / ref.nmse < 1e-9, "nmse \(nmse) vs \(ref.nmse)")
    }

    @Test("SSIM, PSNR and NMSE of a 320×320 image match skimage")
    func fullSizeImage() throws {
        let (_, _, ref) = try Self.load()
        let (gt, pred) = Self.closedForm(320, 320)
        let ssim = ImageQualityMetrics.ssim(target: gt, prediction: pred)
        #expect(abs(ssim - ref.ssim320) < 1e-6, "ssim \(ssim) vs skimage \(ref.ssim320)")
        let psnr = ImageQualityMetrics.psnr(target: gt, prediction: pred)
        #expect(abs(psnr - ref.psnr320) < 1e-4, "psnr \(psnr) vs \(ref.psnr320)")
        let nmse = ImageQualityMetrics.nmse(target: gt, prediction: pred)
        #expect(abs(nmse - ref.nmse320) / ref.nmse320 < 1e-4, "nmse \(nmse) vs \(ref.nmse320)")
    }

    @Test("identical volumes give SSIM 1, NMSE 0 and infinite PSNR")
    func identicalVolumes() throws {
        let (gt, _, _) = try Self.load()
        #expect(abs(ImageQualityMetrics.ssim(target: gt, prediction: gt) - 1) < 1e-12)
        #expect(ImageQualityMetrics.nmse(target: gt, prediction: gt) == 0)
        #expect(ImageQualityMetrics.psnr(target: gt, prediction: gt) == .infinity)
    }
}
