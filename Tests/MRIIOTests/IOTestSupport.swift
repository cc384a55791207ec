import Foundation
import MRICore
import _TestSupport

/// Shared helpers for MRIIOTests.
enum IOFixtures {
    /// `Tests/Fixtures/io/<name>`.
    static func url(_ name: String) -> URL { Fixtures.url("io/\(name)") }

    /// Path of a fixture as MRIIO reports it in errors.
    static func path(_ name: String) -> String { url(name).path }

    /// The formula the generator uses: kspace[s, c, h, w] = v − i(0.5·v + 0.25), v = s·10⁴ + c·10³ + 10h + w.
    static func kspaceValue(_ s: Int, _ c: Int, _ h: Int, _ w: Int) -> ComplexFloat {
        let v = Float(s * 10000 + c * 1000 + h * 10 + w)
        return ComplexFloat(v, -0.5 * v - 0.25)
    }

    /// target[s, h, w] = 100s + 8h + w + 0.5.
    static func targetValue(_ s: Int, _ h: Int, _ w: Int) -> Float { Float(s * 100 + h * 8 + w) + 0.5 }

    /// A volume filled by `kspaceValue`.
    static func kspaceVolume(slices: Int, coils: Int, height: Int, width: Int) -> ComplexArray {
        var a = ComplexArray(zeros: [slices, coils, height, width])
        for s in 0..<slices {
            for c in 0..<coils {
                for h in 0..<height { for w in 0..<width { a[s, c, h, w] = kspaceValue(s, c, h, w) } }
            }
        }
        return a
    }

    /// True when Debian's python3 with numpy and h5py is available.
    static let hasPythonH5py: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return false }
        let r = try? Fixtures.run("/usr/bin/python3", ["-c", "import h5py, numpy"])
        return r?.status == 0
    }()

    /// Runs a Python snippet with /usr/bin/python3 (argv[1...] = `arguments`) and decodes its
    /// stdout as a JSON object.
    static func python(_ script: String, _ arguments: [String]) throws -> [String: Any] {
        let r = try Fixtures.run("/usr/bin/python3", ["-c", script] + arguments)
        guard r.status == 0 else { throw PythonFailure(message: r.stderr) }
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        guard let dict = obj as? [String: Any] else { throw PythonFailure(message: "not a JSON object: \(r.stdout)") }
        return dict
    }

    struct PythonFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { "python failed: \(message)" }
    }

    /// max |a − b| / max |b|.
    static func relativeError(_ a: ComplexArray, _ b: ComplexArray) -> Float {
        precondition(a.shape == b.shape)
        var num: Float = 0
        var den: Float = 0
        for (x, y) in zip(a.storage, b.storage) {
            num = max(num, (x - y).magnitude)
            den = max(den, y.magnitude)
        }
        return num / max(den, .leastNormalMagnitude)
    }
}
