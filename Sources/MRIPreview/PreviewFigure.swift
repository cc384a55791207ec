import Foundation

/// One PNG per slice: titled panels side by side — the reconstruction (gray), the posterior
/// standard deviation (viridis, with a colour bar), the error |reconstruction − target|
/// (viridis, same scale as the std when both are shown) and the sampling mask (white =
/// sampled). Small images are enlarged (nearest neighbour) so a panel is at least 192 pixels.
public enum PreviewFigure {
    /// The sampling pattern: sampled phase-encode columns, or a 2-D (rows × columns) k-space mask.
    public enum Mask: Sendable {
        case columns([Bool])
        case plane(rows: Int, columns: Int, sampled: [Bool])
    }

    /// A titled panel: values `rows × columns` (row-major) under a window and colour map.
    public struct Panel: Sendable {
        public var title: String
        public var values: [Float]
        public var window: PreviewWindow
        public var colormap: Colormap
        public var colourBar: Bool
        public init(title: String, values: [Float], window: PreviewWindow, colormap: Colormap, colourBar: Bool) {
            (self.title, self.values, self.window, self.colormap, self.colourBar) = (title, values, window, colormap, colourBar)
        }
    }

    static let margin = 12, barWidth = 14, barGap = 6

    /// The figure: `title` on top, then `panels` (all `rows × columns`) and the mask.
    public static func render(title: String, rows: Int, columns: Int, panels: [Panel], mask: Mask?) -> RGBImage {
        let zoom = max(1, Int((192.0 / Double(max(rows, columns))).rounded(.up)))
        let (pw, ph) = (columns * zoom, rows * zoom)
        let scale = pw >= 400 ? 2 : 1
        let titleHeight = BitmapFont.cellHeight * scale + 6
        var tiles = panels.map { tile($0, rows: rows, columns: columns, zoom: zoom, scale: scale) }
        if let mask { tiles.append(maskTile(mask, width: pw, height: ph, scale: scale)) }
        let width = max(tiles.reduce(margin) { $0 + $1.width + margin }, BitmapFont.width(of: title, scale: scale) + 2 * margin)
        let height = margin + titleHeight + (tiles.map(\.height).max() ?? 0) + margin
        var image = RGBImage(width: width, height: height)
        BitmapFont.draw(title, into: &image, x: margin, y: margin, scale: scale)
        var x = margin
        for t in tiles {
            image.blit(t, x: x, y: margin + titleHeight)
            x += t.width + margin
        }
        return image
    }

    /// A panel with its title above and, when asked, a colour bar with three labels to its right.
    static func tile(_ p: Panel, rows: Int, columns: Int, zoom: Int, scale: Int) -> RGBImage {
        var picture = RGBImage(width: columns, height: rows)
        for r in 0..<rows {
            for c in 0..<columns {
                picture.set(x: c, y: r, p.colormap.color(p.window.unit(Double(p.values[r * columns + c]))))
            }
        }
        picture = picture.zoomed(zoom)
        let labels = [p.window.upper, (p.window.lower + p.window.upper) / 2, p.window.lower].map(label)
        let labelWidth = labels.map { BitmapFont.width(of: $0, scale: scale) }.max() ?? 0
        let extra = p.colourBar ? barGap + barWidth * scale + 4 + labelWidth : 0
        let top = BitmapFont.cellHeight * scale + 4
        var t = RGBImage(width: max(picture.width + extra, BitmapFont.width(of: p.title, scale: scale)), height: top + picture.height)
        BitmapFont.draw(p.title, into: &t, x: 0, y: 0, scale: scale)
        t.blit(picture, x: 0, y: top)
        guard p.colourBar else { return t }
        let bx = picture.width + barGap, bw = barWidth * scale, h = picture.height
        for y in 0..<h {
            let v = Double(h - 1 - y) / Double(max(h - 1, 1))
            t.fill(x: bx, y: top + y, width: bw, height: 1, color: p.colormap.color(v))
        }
        let glyph = BitmapFont.cellHeight * scale
        for (i, text) in labels.enumerated() {
            let y = top + [0, h / 2 - glyph / 2, h - glyph][i]
            BitmapFont.draw(text, into: &t, x: bx + bw + 4, y: y, scale: scale)
        }
        return t
    }

    /// The mask panel, resampled (nearest neighbour) to `width × height`.
    static func maskTile(_ m: Mask, width: Int, height: Int, scale: Int) -> RGBImage {
        let title: String
        var picture = RGBImage(width: width, height: height, color: .black)
        switch m {
        case .columns(let sampled):
            let n = sampled.filter { $0 }.count
            title = String(format: "MASK %d/%d", n, sampled.count)
            for x in 0..<width where sampled[min(sampled.count - 1, x * sampled.count / max(width, 1))] {
                picture.fill(x: x, y: 0, width: 1, height: height, color: .white)
            }
        case .plane(let rows, let columns, let sampled):
            let n = sampled.filter { $0 }.count
            title = String(format: "MASK %.1f%%", 100 * Double(n) / Double(max(sampled.count, 1)))
            for y in 0..<height {
                for x in 0..<width where sampled[min(rows - 1, y * rows / height) * columns + min(columns - 1, x * columns / width)] {
                    picture.set(x: x, y: y, .white)
                }
            }
        }
        let top = BitmapFont.cellHeight * scale + 4
        var t = RGBImage(width: max(width, BitmapFont.width(of: title, scale: scale)), height: top + height)
        BitmapFont.draw(title, into: &t, x: 0, y: 0, scale: scale)
        t.blit(picture, x: 0, y: top)
        return t
    }

    /// A short number label: 3 significant digits.
    static func label(_ v: Double) -> String {
        guard v.isFinite else { return "?" }
        if v == 0 { return "0" }
        let a = abs(v)
        return a >= 1e-3 && a < 1e4 ? String(format: "%.3g", v) : String(format: "%.2e", v)
    }
}
