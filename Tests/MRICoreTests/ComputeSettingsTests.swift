import MRICore
import Testing
import _TestSupport

@Suite struct ComputeSettingsTests {
    @Test("threads(n): n FFTW and BLAS threads, at most two lanes")
    func threadsConstructor() {
        let one = ComputeSettings.threads(1), eight = ComputeSettings.threads(8)
        #expect(one.lanes == 1 && one.fftThreads == 1 && one.blasThreads == 1 && one.threads == 1)
        #expect(eight.lanes == 2 && eight.fftThreads == 8 && eight.blasThreads == 8 && eight.threads == 8)
        #expect(eight.insideParallelLoop.fftThreads == 1 && eight.insideParallelLoop.lanes == 2)
        #expect(ComputeSettings(lanes: 0, fftThreads: -3, blasThreads: 0).lanes == 1)
    }

    @Test("the FFT gives the same result for any thread count and planning rigour")
    func fftIndependentOfSettings() {
        var rng = SeededRNG(seed: 4)
        let x = OperatorChecks.randomArray([4, 96, 80], using: &rng)
        let reference = CenteredFFT.forward(x, compute: .serial)
        for compute in [ComputeSettings.threads(2), ComputeSettings(lanes: 3, fftThreads: 3, blasThreads: 1, fftPlanning: .measure)] {
            let y = CenteredFFT.forward(x, compute: compute)
            #expect((y - reference).norm <= 1e-6 * reference.norm, "\(compute)")
        }
    }
}
