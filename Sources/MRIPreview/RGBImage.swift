/// An 8-bit colour.
public struct RGB: Sendable, Equatable {
    public var r: UInt8, g: UInt8, b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { (self.r, self.g, self.b) = (r, g, b) }

    /// The previews' background, text and guide colours.
    public static let background = RGB(20, 20, 20), text = RGB(235, 235, 235), guide = RGB(90, 90, 90)
    public static let white = RGB(255, 255, 255), black = RGB(0, 0, 0)
}

/// A raster of RGB pixels, row-major from the top-left, with the few drawing operations the
/// previews need (fill, blit, lines, nearest-neighbour zoom). Out-of-range pixels are clipped.
public struct RGBImage: Sendable, Equatable {
    public let width: Int, height: Int
    /// `height` rows of `width` × (R, G, B).
    public private(set) var pixels: [UInt8]

    /// A `width` × `height` image filled with `color`.
    public init(width: Int, height: Int, color: RGB = .background) {
        self.width = max(0, width)
        self.height = max(0, height)
        pixels = [UInt8](repeating: 0, count: self.width * self.height * 3)
        fill(x: 0, y: 0, width: self.width, height: self.height, color: color)
    }

    /// The colour at (x, y).
    public func pixel(x: Int, y: Int) -> RGB {
        let i = (y * width + x) * 3
        return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// Sets (x, y) when it lies inside the image.
    public mutating func set(x: Int, y: Int, _ c: RGB) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = c.r
        pixels[i + 1] = c.g
        pixels[i + 2] = c.b
    }

    /// Fills a rectangle (clipped).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: RGB) {
        for yy in max(0, y)..<min(height, y + h) where w > 0 {
            for xx in max(0, x)..<min(width, x + w) { set(x: xx, y: yy, color) }
        }
    }

    /// Copies `other` with its top-left corner at (x, y) (clipped).
    public mutating func blit(_ other: RGBImage, x: Int, y: Int) {
        for yy in 0..<other.height {
            for xx in 0..<other.width { set(x: x + xx, y: y + yy, other.pixel(x: xx, y: yy)) }
        }
    }

    /// A line from (x0, y0) to (x1, y1), `thickness` pixels wide (Bresenham, square pen).
    public mutating func line(from p0: (Int, Int), to p1: (Int, Int), color: RGB, thickness: Int = 1) {
        var (x, y) = p0
        let dx = abs(p1.0 - x), dy = -abs(p1.1 - y), sx = x < p1.0 ? 1 : -1, sy = y < p1.1 ? 1 : -1
        var err = dx + dy
        let half = (thickness - 1) / 2
        while true {
            fill(x: x - half, y: y - half, width: thickness, height: thickness, color: color)
            if x == p1.0 && y == p1.1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// This image enlarged `factor` times (nearest neighbour).
    public func zoomed(_ factor: Int) -> RGBImage {
        guard factor > 1 else { return self }
        var out = RGBImage(width: width * factor, height: height * factor)
        for y in 0..<out.height {
            for x in 0..<out.width { out.set(x: x, y: y, pixel(x: x / factor, y: y / factor)) }
        }
        return out
    }
}
