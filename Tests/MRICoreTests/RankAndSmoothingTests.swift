import Foundation
import MRICore
import Testing

/// `GaussianFilter` and `RankCorrelation` against SciPy 1.10 (`scipy.ndimage.gaussian_filter(x,
/// sigma, mode="nearest", truncate=3.0)`, `scipy.stats.spearmanr`, `scipy.stats.rankdata`).
@Suite("MRICore: Gaussian smoothing and Spearman correlation (SciPy reference)")
struct RankAndSmoothingTests {
    static let image: [Double] = [0, 1, 2, 3, 4, 5, 6, 7,  7, 6, 5, 4, 3, 2, 1, 0,  1, 0, 9, 0, 1, 0, 1, 0,
                                  2, 2, 2, 2, 8, 2, 2, 2,  0, 0, 0, 0, 0, 0, 0, 9]

    @Test("gaussian_filter σ 2 (kernel wider than the 5×8 image, edges repeated) and σ 0.8")
    func smoothing() {
        let scipy: [Double] = [
            1.911501788053, 2.222321616187, 2.588289129664, 2.965380807212, 3.329847101511, 3.676769984782, 3.997341664215, 4.268052107919,
            2.118519915796, 2.328322305792, 2.551777135648, 2.752315598503, 2.929847316065, 3.114108386773, 3.32523281224, 3.54601781023,
            1.994891146287, 2.135975615016, 2.271967175776, 2.379199998202, 2.482724500114, 2.644096074402, 2.901937522284, 3.224354622703,
            1.568196724532, 1.670536283037, 1.774718628313, 1.879689157999, 2.039622462619, 2.343045273761, 2.830442329582, 3.427789346247,
            1.022104892622, 1.099216789335, 1.198599507065, 1.349996818507, 1.641737216359, 2.186196306692, 3.012384772358, 3.984932574277]
        let out = GaussianFilter.smooth(Self.image, height: 5, width: 8, sigma: 2)
        for i in scipy.indices { #expect(abs(out[i] - scipy[i]) < 1e-9, "pixel \(i): \(out[i]) vs \(scipy[i])") }
        let narrow = GaussianFilter.smooth(Self.image, height: 5, width: 8, sigma: 0.8)
        for (i, v) in [(0, 1.762268821691), (11, 3.343895485095), (19, 2.890710262348), (39, 5.518573052034)] {
            #expect(abs(narrow[i] - v) < 1e-9, "pixel \(i): \(narrow[i]) vs \(v)")
        }
        #expect(GaussianFilter.kernel(sigma: 2).count == 13)  // r = ⌊3·2 + 0.5⌋ = 6
        #expect(abs(out.reduce(0, +) - Self.image.reduce(0, +)) > 0)  // edges repeated: not mass-preserving
    }

    @Test("ranks average ties; Spearman ρ as scipy; monotone maps give ±1; constants give nil")
    func spearman() throws {
        let a: [Double] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], b: [Double] = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4]
        #expect(RankCorrelation.ranks(a) == [4.5, 1.5, 6, 1.5, 8, 11, 3, 10, 8, 4.5, 8])
        let rho = try #require(RankCorrelation.spearman(a, b))
        #expect(abs(rho - 0.1384567651467695) < 1e-12, "\(rho)")
        let x = (0..<50).map { Double($0) * 0.37 }
        #expect(RankCorrelation.spearman(x, x.map { exp($0) }) == 1)
        #expect(RankCorrelation.spearman(x, x.map { -$0 * $0 }) == -1)
        #expect(RankCorrelation.spearman(x, [Double](repeating: 2, count: 50)) == nil)
        #expect(RankCorrelation.spearman([1], [2]) == nil)
    }
}
