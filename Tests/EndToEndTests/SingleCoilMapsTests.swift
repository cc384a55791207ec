import Foundation
import MRIAcquisition
import MRICore
import MRIIO
import MRIPipeline
import Testing
import _TestSupport

@Suite struct SingleCoilMapsTests {
    @Test("one coil: lowres maps are its low-resolution phase, auto and espirit unit maps")
    func singleCoilMaps() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scan = dir.appendingPathComponent("single.h5")
        try CLI.writeSmallScan(to: scan, coils: 1, slices: 1)
        let file = try FastMRIFile(contentsOf: scan)
        defer { file.close() }
        var options = ReconOptions()
        options.mask.acceleration = 4
        let sampling = try ReconPipeline.sampling(info: file.info, plan: options.mask, fileName: scan.lastPathComponent)
        var raw = try file.readSlice(0)
        if raw.rank == 2 { raw = ComplexArray(shape: [1] + raw.shape, storage: raw.storage) }
        let pipeline = ReconPipeline(options: options)
        var used = [String]()
        let phase = try pipeline.sensitivityMaps(raw, sampling: sampling, method: .lowres, mapsUsed: &used)
        #expect(phase == (try LowResolutionCoilMaps().phaseMap(kspace: raw, numLowFrequencies: sampling.numLowFrequencies)))
        #expect(phase.storage.contains { abs($0.im) > 0.1 }, "the phantom's phase is in the map")
        for method in [CoilMapMethod.auto, .espirit] {
            let unit = try pipeline.sensitivityMaps(raw, sampling: sampling, method: method, mapsUsed: &used)
            #expect(unit.storage.allSatisfy { $0 == ComplexFloat(1, 0) }, "\(method)")
        }
    }
}
