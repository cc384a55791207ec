import Foundation

/// Spearman's rank correlation, as `scipy.stats.spearmanr`: the Pearson correlation of the
/// ranks, tied values getting the mean of the ranks they span.
public enum RankCorrelation {
    /// Ranks 1…n of `values`, ties averaged.
    public static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let mean = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = mean }
            i = j + 1
        }
        return ranks
    }

    /// Spearman's ρ of paired samples; nil when fewer than two pairs or either side is constant.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "spearman: \(x.count) vs \(y.count) values")
        guard x.count > 1 else { return nil }
        return pearson(ranks(x), ranks(y))
    }

    /// Pearson's r; nil when either side has zero variance.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxx = 0.0, syy = 0.0, sxy = 0.0
        for i in x.indices {
            let a = x[i] - mx, b = y[i] - my
            sxx += a * a; syy += b * b; sxy += a * b
        }
        guard sxx > 0, syy > 0 else { return nil }
        return Swift.min(1, Swift.max(-1, sxy / (sxx * syy).squareRoot()))
    }
}
