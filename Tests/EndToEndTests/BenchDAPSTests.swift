import Foundation
import MRIIO
import MRIPipeline
import Testing
import _TestSupport

/// `mri-daps bench daps FILE`: the slice goes through recon's own preparation.
@Suite struct BenchDAPSTests {
    @Test("bench daps FILE --slice K reports the file's geometry, its mask and the protocol's evaluations")
    func benchFile() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scan = dir.appendingPathComponent("knee_small.h5")
        try CLI.writeSmallScan(to: scan)
        let r = try CLI.run(["bench", "daps", scan.path, "--slice", "1", "--prior", DAPSReconTests.tinyPrior.path,
                             "--draws", "2", "--virtual-coils", "3", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["raw_coils"] as? Int == 4 && json["raw_height"] as? Int == 48 && json["width"] as? Int == 40)
        #expect(json["virtual_coils"] as? Int == 3 && json["height"] as? Int == 48)
        #expect((json["input"] as? String)?.hasSuffix("slice 1") == true)
        let sampled = try #require(json["sampled_columns"] as? Int)
        #expect(sampled >= 10 && sampled < 40)  // 4× random mask of 40 columns
        let single = try #require(json["single"] as? [String: Any]), batched = try #require(json["batched"] as? [String: Any])
        #expect(single["network_evaluations"] as? Int == 35 && batched["draws"] as? Int == 2)  // knee-4x: 35 × 1
        #expect((batched["network"] as? Double ?? 0) > 0 && (batched["operator_calls"] as? Int ?? 0) > 0)
        // OpenBLAS runs kernels for this CPU's instruction set, not the SSE3 fallback it uses for
        // CPU models newer than its release (BLAS.selectKernels).
        let kernels = try #require(json["blas_kernels"] as? String)
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        if flags.contains(" avx2 ") && flags.contains(" fma ") {
            #expect(kernels.lowercased() != "prescott" && json["convolution_kernel"] as? String != "im2col", "\(kernels)")
        }

        // Without --draws the batched run has the protocol's draws, as recon runs it.
        let preset = try CLI.run(["bench", "daps", scan.path, "--prior", DAPSReconTests.tinyPrior.path, "--virtual-coils", "3", "--json"])
        #expect(preset.status == 0, "\(preset.stderr)")
        let pj = try #require(try JSONSerialization.jsonObject(with: Data(preset.stdout.utf8)) as? [String: Any])
        #expect((pj["batched"] as? [String: Any])?["draws"] as? Int == (try ReconProtocol.builtIn(named: "knee-4x")).samples)

        let missing = try CLI.run(["bench", "daps", dir.appendingPathComponent("nope.h5").path])
        #expect(missing.status != 0 && missing.stderr.contains("nope.h5"))
        let badSlice = try CLI.run(["bench", "daps", scan.path, "--slice", "7", "--prior", DAPSReconTests.tinyPrior.path])
        #expect(badSlice.status != 0 && badSlice.stderr.contains("2 slices"), "\(badSlice.stderr)")
    }
}
