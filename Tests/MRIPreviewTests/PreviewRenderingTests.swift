import Foundation
import MRIIO
import MRIPreview
import Testing
import _TestSupport

/// The preview rasters against known values, and their PNG files read back by Pillow.
@Suite("previews: colour maps, font, figures, PNG files")
struct PreviewRenderingTests {
    @Test("viridis ends equal matplotlib's (68, 1, 84) and (253, 231, 37); gray is linear; out-of-range and NaN clamp")
    func colormaps() {
        #expect(Colormap.viridis.color(0) == RGB(68, 1, 84))
        #expect(Colormap.viridis.color(1) == RGB(253, 231, 37))
        #expect(Colormap.viridis.color(0.5) == RGB(33, 145, 140))
        #expect(Colormap.gray.color(0.5) == RGB(128, 128, 128))
        #expect(Colormap.gray.color(-3) == RGB(0, 0, 0) && Colormap.gray.color(7) == RGB(255, 255, 255))
        #expect(Colormap.gray.color(.nan) == RGB(0, 0, 0))
    }

    @Test("the font draws 'A' as misc-fixed 6×10 does, at scale 2 as 2×2 blocks")
    func font() {
        var image = RGBImage(width: 12, height: 20, color: .black)
        BitmapFont.draw("A", into: &image, x: 0, y: 0, color: .white, scale: 2)
        let rows = ["......", "..#...", ".#.#..", "#...#.", "#...#.", "#####.", "#...#.", "#...#.", "......", "......"]
        for (y, row) in rows.enumerated() {
            for (x, ch) in row.enumerated() {
                let want: RGB = ch == "#" ? .white : .black
                #expect(image.pixel(x: 2 * x + 1, y: 2 * y + 1) == want, "(\(x), \(y))")
            }
        }
        #expect(BitmapFont.width(of: "slice 3", scale: 2) == 84)
    }

    @Test("a figure maps values through the window monotonically, zooms small images, draws the colour bar and the mask")
    func figure() {
        let rows = 16, columns = 32
        let values = (0..<(rows * columns)).map { Float($0 % columns) / Float(columns - 1) }  // left-right ramp
        let panel = PreviewFigure.Panel(title: "STD", values: values, window: PreviewWindow(lower: 0, upper: 1), colormap: .gray, colourBar: true)
        let mask = PreviewFigure.Mask.columns((0..<columns).map { $0 % 4 == 0 })
        let image = PreviewFigure.render(title: "t", rows: rows, columns: columns, panels: [panel], mask: mask)
        // zoom = ceil(192 / 32) = 6: the panel is 192 × 96, below a title line.
        let top = 12 + 16 + 14, left = 12
        let ramp = (0..<columns).map { image.pixel(x: left + 6 * $0 + 3, y: top + 40).r }
        #expect(ramp.first == 0 && ramp.last == 255 && zip(ramp, ramp.dropFirst()).allSatisfy { $0 < $1 }, "\(ramp)")
        // The colour bar: white at the top, black at the bottom, right of the panel.
        let bar = left + 192 + 6 + 3
        #expect(image.pixel(x: bar, y: top) == RGB(255, 255, 255) && image.pixel(x: bar, y: top + 95) == RGB(0, 0, 0))
        #expect(image.width > 2 * 192 && image.height == top + 96 + 12)
    }

    @Test("the window is robust to a few outliers; fromZero starts at 0")
    func window() {
        var v = (0..<10_000).map { Float($0) / 10_000 }
        v[17] = 1e9
        v[18] = -.infinity
        let w = PreviewWindow.robust(v)
        #expect(w.upper < 1.01 && w.lower >= 0 && w.lower < 0.01)
        #expect(PreviewWindow.fromZero(v).lower == 0)
    }

    @Test("PNG files: Pillow reads back the exact pixels and size; a non-empty folder is refused without --force and nothing is left behind",
          .enabled(if: Fixtures.executable("python3") != nil))
    func pngRoundTrip() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var image = RGBImage(width: 7, height: 5, color: .black)
        for y in 0..<5 { for x in 0..<7 { image.set(x: x, y: y, RGB(UInt8(x * 30), UInt8(y * 50), UInt8((x + y) * 10))) } }
        let folder = dir.appendingPathComponent("png")
        let files = try PNGFolder.write([PNGFolder.Image(name: "a.png", width: 7, height: 5, rgb: image.pixels)], to: folder, software: "test")
        let script = "from PIL import Image; import sys; i = Image.open(sys.argv[1]); print(i.size, i.mode, list(i.getdata()) == "
            + "[(x * 30, y * 50, (x + y) * 10) for y in range(5) for x in range(7)], i.info.get('Software'))"
        let r = try Fixtures.run("/usr/bin/python3", ["-c", script, files[0].path])
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "(7, 5) RGB True test", "\(r.stdout) \(r.stderr)")
        #expect(throws: MRIIOError.self) {
            try PNGFolder.write([PNGFolder.Image(name: "b.png", width: 1, height: 1, rgb: [0, 0, 0])], to: folder, software: "test")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(left == ["png"], "\(left)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") } == ["a.png"])
    }
}
