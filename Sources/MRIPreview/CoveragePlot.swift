import Foundation

/// The calibration plot of a posterior standard deviation: the fraction of in-object pixels
/// whose error lies within k standard deviations (|x̂ − x| ≤ k·σ̂) against k, beside the
/// Gaussian ideal erf(k/√2) (on the ideal curve, 95 % at k = 1.96).
public enum CoveragePlot {
    /// `curve`: (k, coverage) pairs with k ascending in [0, `maxK`]; `title` on top.
    public static func render(title: String, curve: [(k: Double, coverage: Double)], maxK: Double = 3,
                              width: Int = 520, height: Int = 400) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        let (left, right, top, bottom) = (56, 20, 36, 44)
        let pw = width - left - right, ph = height - top - bottom
        let px = { (k: Double) in left + Int((k / maxK * Double(pw)).rounded()) }
        let py = { (c: Double) in top + ph - Int((min(1, max(0, c)) * Double(ph)).rounded()) }
        BitmapFont.draw(title, into: &image, x: 8, y: 8)
        for i in 0...4 {
            let c = Double(i) / 4
            image.line(from: (left, py(c)), to: (left + pw, py(c)), color: .guide)
            BitmapFont.draw(String(format: "%.2f", c), into: &image, x: 8, y: py(c) - 5)
        }
        for k in 0...Int(maxK) {
            image.line(from: (px(Double(k)), top), to: (px(Double(k)), top + ph), color: .guide)
            BitmapFont.draw("\(k)", into: &image, x: px(Double(k)) - 3, y: top + ph + 6)
        }
        BitmapFont.draw("k (multiples of the posterior std)", into: &image, x: left, y: height - 16)
        // The 95 % guides: k = 1.96 and coverage 0.95.
        image.line(from: (px(1.96), top), to: (px(1.96), top + ph), color: RGB(150, 150, 150))
        image.line(from: (left, py(0.95)), to: (left + pw, py(0.95)), color: RGB(150, 150, 150))
        var previous: (Int, Int)? = nil
        for i in 0...200 {
            let k = maxK * Double(i) / 200, p = (px(k), py(erf(k / 2.0.squareRoot())))
            if let q = previous { image.line(from: q, to: p, color: RGB(200, 200, 200), thickness: 1) }
            previous = p
        }
        let measured = Colormap.viridis.color(1)
        previous = nil
        for point in curve where point.k >= 0 && point.k <= maxK {
            let p = (px(point.k), py(point.coverage))
            if let q = previous { image.line(from: q, to: p, color: measured, thickness: 3) }
            previous = p
        }
        BitmapFont.draw("measured", into: &image, x: left + pw - 120, y: top + ph - 40, color: measured)
        BitmapFont.draw("gaussian ideal", into: &image, x: left + pw - 120, y: top + ph - 26, color: RGB(200, 200, 200))
        return image
    }
}
